/** Exponential backoff with jitter, bounded. Pure. */

/** Backoff settings. */
export interface BackoffOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * backoffDelay returns the delay before retry number `attempt` (1 for the first retry):
 * `min(max, initial * 2^(attempt-1))`, jittered uniformly into its upper half so concurrent
 * clients spread out without ever retrying immediately. `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const exp = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(exp / 2 + (exp / 2) * r);
}

/** isRetryableStatus: 429 and 5xx are retried; 0 stands for a network error or timeout. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}
