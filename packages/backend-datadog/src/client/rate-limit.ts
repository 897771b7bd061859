/**
 * Datadog's rate-limit headers (docs.datadoghq.com/api/latest/rate-limits):
 * `X-RateLimit-Limit` requests allowed per period, `X-RateLimit-Period` period length in seconds
 * (calendar aligned), `X-RateLimit-Remaining` requests left in the period, `X-RateLimit-Reset`
 * seconds until the next reset, `X-RateLimit-Name` the limit's name.
 */

/** The parsed headers; a field is absent when its header is missing or malformed. */
export interface RateLimitInfo {
  limit?: number;
  periodSeconds?: number;
  remaining?: number;
  resetSeconds?: number;
  name?: string;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

/** parseRateLimit reads the headers from a lower-cased header map. */
export function parseRateLimit(headers: Readonly<Record<string, string>>): RateLimitInfo {
  const out: RateLimitInfo = {};
  const limit = int(headers['x-ratelimit-limit']);
  const period = int(headers['x-ratelimit-period']);
  const remaining = int(headers['x-ratelimit-remaining']);
  const reset = int(headers['x-ratelimit-reset']);
  if (limit !== undefined) out.limit = limit;
  if (period !== undefined) out.periodSeconds = period;
  if (remaining !== undefined) out.remaining = remaining;
  if (reset !== undefined) out.resetSeconds = reset;
  const name = headers['x-ratelimit-name'];
  if (name) out.name = name;
  return out;
}

/**
 * pauseMs is how long to wait before the next call: until the reset when the budget is used up
 * (`remaining` 0) or the response was a 429, else 0.
 */
export function pauseMs(info: RateLimitInfo, status: number): number {
  const exhausted = info.remaining === 0 || status === 429;
  if (!exhausted) return 0;
  return (info.resetSeconds ?? 0) * 1000;
}
