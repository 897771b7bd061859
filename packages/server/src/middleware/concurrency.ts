import type { Middleware } from 'koa';
import { TooManyRequestsError } from '@custom-metrics/core';
import type { ServerMetrics } from '../observability/server-metrics.js';

const EXEMPT = new Set(['/healthz', '/livez', '/readyz']);
/** apiserver's `user.SystemPrivilegedGroup`: the aggregator's availability and discovery checks come as this group. */
const MASTERS = 'system:masters';

/** Options of {@link concurrencyLimit}. */
export interface ConcurrencyOptions {
  /** Requests served at once; beyond it 429. */
  max: number;
  /** `Retry-After` seconds on a 429. */
  retryAfterSeconds: number;
  metrics?: ServerMetrics;
}

/**
 * concurrencyLimit answers 429 TooManyRequests (with `Retry-After`) when `max` requests are
 * already being served, as apiserver's `WithMaxInFlightLimit`: it runs after authentication, and
 * a request of a `system:masters` user (kube-aggregator's availability and discovery checks) is
 * never refused — it takes a free slot when there is one, else it is served without one. Health
 * probes are exempt.
 */
export function concurrencyLimit(options: ConcurrencyOptions): Middleware {
  let inflight = 0;
  const leave = () => {
    inflight--;
  };
  // Not an async function: no promise of its own per request. As an async middleware would, a
  // refusal is a rejected promise, never a synchronous throw.
  return function limitConcurrency(ctx, next) {
    if (EXEMPT.has(ctx.path)) return next();
    if (inflight >= options.max) {
      const groups = (ctx.state.user as { groups?: readonly string[] } | undefined)?.groups;
      if (groups?.includes(MASTERS)) return next();
      options.metrics?.rejected.inc({ reason: 'saturated' });
      return Promise.reject(new TooManyRequestsError('too many requests, please try again later', options.retryAfterSeconds));
    }
    inflight++;
    let done: Promise<unknown>;
    try {
      done = Promise.resolve(next());
    } catch (e) {
      leave();
      return Promise.reject(e);
    }
    return done.finally(leave);
  };
}
