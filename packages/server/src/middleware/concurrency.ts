import type { Middleware } from 'koa';
import { TooManyRequestsError } from '@custom-metrics/core';
import type { ServerMetrics } from '../observability/server-metrics.js';

const EXEMPT = new Set(['/healthz', '/livez', '/readyz']);

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
 * already being served (apiserver's max-in-flight). Health probes are exempt.
 */
export function concurrencyLimit(options: ConcurrencyOptions): Middleware {
  let inflight = 0;
  return async function limitConcurrency(ctx, next) {
    if (EXEMPT.has(ctx.path)) return next();
    if (inflight >= options.max) {
      options.metrics?.rejected.inc({ reason: 'saturated' });
      throw new TooManyRequestsError('too many requests, please try again later', options.retryAfterSeconds);
    }
    inflight++;
    try {
      await next();
    } finally {
      inflight--;
    }
  };
}
