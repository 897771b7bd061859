import type { Context, Middleware } from 'koa';
import { ServiceUnavailableError } from '@custom-metrics/core';
import type { ServerMetrics } from '../observability/server-metrics.js';

/** The message of the 503 a request gets when it passes its deadline. */
export const DEADLINE_MESSAGE = 'the request did not complete within the allowed duration';

const EXPIRED = Symbol('expired');

/**
 * deadline gives each request an AbortSignal (`ctx.state.signal`) that aborts after `timeoutMs`
 * or when the client goes away. Past the deadline the request is answered 503 at once, whether or
 * not the handler honours the signal (a late result is discarded).
 *
 * Per request: one AbortController, one timer and one promise (settled by whichever of the handler
 * and the timer finishes first), no `Promise.race`.
 */
export function deadline(timeoutMs: number, metrics?: ServerMetrics): Middleware {
  return function applyDeadline(ctx, next) {
    return runWithDeadline(ctx, timeoutMs, next, metrics);
  };
}

/** Runs `next` under the request deadline as {@link deadline} does (shared with the pre-composed path). */
export async function runWithDeadline(ctx: Pick<Context, 'state' | 'res'>, timeoutMs: number, next: () => Promise<unknown>, metrics?: ServerMetrics): Promise<void> {
  const controller = new AbortController();
  (ctx.state as { signal?: AbortSignal }).signal = controller.signal;
  const res = ctx.res;
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new DOMException('the client closed the connection', 'AbortError'));
  };
  res.once('close', onClose);
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await new Promise<unknown>((resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort(new DOMException(DEADLINE_MESSAGE, 'TimeoutError'));
        resolve(EXPIRED);
      }, timeoutMs);
      // A late rejection (after the deadline) settles nothing: the promise is already resolved.
      next().then(resolve, reject);
    });
    if (outcome === EXPIRED) {
      metrics?.rejected.inc({ reason: 'deadline' });
      throw new ServiceUnavailableError(DEADLINE_MESSAGE);
    }
  } finally {
    clearTimeout(timer);
    res.off('close', onClose);
  }
}
