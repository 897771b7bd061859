import type { Middleware } from 'koa';
import { ServiceUnavailableError } from '@custom-metrics/core';
import type { ServerMetrics } from '../observability/server-metrics.js';

/** The message of the 503 a request gets when it passes its deadline. */
export const DEADLINE_MESSAGE = 'the request did not complete within the allowed duration';

/**
 * deadline gives each request an AbortSignal (`ctx.state.signal`) that aborts after `timeoutMs`
 * or when the client goes away. Past the deadline the request is answered 503 at once, whether or
 * not the handler honours the signal (a late result is discarded).
 */
export function deadline(timeoutMs: number, metrics?: ServerMetrics): Middleware {
  return async function applyDeadline(ctx, next) {
    const controller = new AbortController();
    (ctx.state as { signal?: AbortSignal }).signal = controller.signal;
    let timer: NodeJS.Timeout | undefined;
    const onClose = () => {
      if (!ctx.res.writableFinished) controller.abort(new DOMException('the client closed the connection', 'AbortError'));
    };
    ctx.res.once('close', onClose);
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new DOMException(DEADLINE_MESSAGE, 'TimeoutError'));
        resolve('expired');
      }, timeoutMs);
    });
    const work = next().then(() => 'done' as const);
    try {
      const winner = await Promise.race([work, expired]);
      if (winner === 'expired') {
        work.catch(() => undefined);
        metrics?.rejected.inc({ reason: 'deadline' });
        throw new ServiceUnavailableError(DEADLINE_MESSAGE);
      }
    } finally {
      clearTimeout(timer);
      ctx.res.off('close', onClose);
    }
  };
}
