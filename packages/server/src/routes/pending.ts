import { isMetricsError, ServiceUnavailableError } from '@custom-metrics/core';
import type { RouteDeps } from './deps.js';

/** `Retry-After` of the 503 while discovery is pending. */
const PENDING_RETRY_AFTER_SECONDS = 5;

/**
 * unlistedMetricError is what a metric no instance lists is answered with: `notFound` (404),
 * unless an instance offering `api` cannot tell yet which metrics it serves (its first discovery
 * has not succeeded): then a 503 naming those instances and why, since the metric may exist.
 */
export function unlistedMetricError(deps: RouteDeps, api: 'custom' | 'external', notFound: unknown): unknown {
  const pending = deps.registry.pending(api);
  if (pending.length === 0) return notFound;
  const base = isMetricsError(notFound) ? notFound.message : 'the server could not find the metric';
  const who = pending.map((p) => `backend ${JSON.stringify(p.name)}: ${p.reason}`).join('; ');
  return new ServiceUnavailableError(
    `${base} yet, and cannot tell whether it exists: ${who}. ` +
      "Its metrics are served once discovery succeeds; retry shortly (/readyz?verbose shows each backend's state)",
    PENDING_RETRY_AFTER_SECONDS,
  );
}
