/**
 * Which point of a series is served, and whether it is fresh enough. Pure.
 *
 * - `lastPointOffset` skips the most recent valid points: Datadog's last bucket is usually still
 *   filling (late points, an implicit rollup over a partial interval), so by default (1) the
 *   point before it is served, as the Datadog Cluster Agent does. A series with fewer valid points
 *   than `offset + 1` serves its oldest one (a sparse metric with one point in the window is still
 *   served).
 * - A point is stale when `now - point.timestamp > maxAge`: its age is measured from Datadog's
 *   timestamp of the point, not from when it was fetched.
 */
import { ServiceUnavailableError } from '@custom-metrics/core';
import type { MetricsError } from '@custom-metrics/core';
import type { SeriesPoint, SeriesValue } from '../client/datadog-client.js';

/** pickPoint returns the valid point served for `offset` (see the module comment). */
export function pickPoint(points: readonly SeriesPoint[], offset: number): SeriesPoint | undefined {
  if (points.length === 0) return undefined;
  return points[Math.max(0, points.length - 1 - offset)];
}

/** One series with the point it serves. */
export interface ServedSeries {
  readonly tags: readonly string[];
  readonly point: SeriesPoint;
}

/** The series of an answer split into fresh ones and the age of the youngest stale one. */
export interface Freshness {
  readonly fresh: ServedSeries[];
  /** Set when some series had only a point older than `maxAgeMs`: the youngest such age (ms). */
  readonly staleAgeMs?: number;
}

/** freshSeries picks each series' point and keeps those not older than `maxAgeMs` at `nowMs`. */
export function freshSeries(series: readonly SeriesValue[], offset: number, nowMs: number, maxAgeMs: number): Freshness {
  const fresh: ServedSeries[] = [];
  let staleAgeMs: number | undefined;
  for (const s of series) {
    const point = pickPoint(s.points ?? [s.point], offset);
    if (!point) continue;
    const age = nowMs - point.timestamp.getTime();
    if (age > maxAgeMs) staleAgeMs = staleAgeMs === undefined ? age : Math.min(staleAgeMs, age);
    else fresh.push({ tags: s.tags, point });
  }
  return staleAgeMs === undefined ? { fresh } : { fresh, staleAgeMs };
}

/**
 * Where a metric's fallback value would come from, for the advice of {@link stalePointError} and
 * {@link noPointError}: a rule's `noDataValue`, or the Cluster Agent naming convention, which has
 * no rule and so no fallback of its own.
 */
export type FallbackSource = 'rule' | 'convention' | 'datadogmetric';

function fallbackAdvice(source: FallbackSource): string {
  if (source === 'rule') return 'set noDataValue on the rule to serve a value instead';
  if (source === 'datadogmetric') return 'check spec.query and spec.maxAge of the DatadogMetric (a DatadogMetric serves no fallback value)';
  return 'the Cluster Agent naming convention serves no fallback value: declare an external rule for this metric with noDataValue to serve one';
}

/** The 503 for a metric whose latest point is older than `maxAgeMs`. */
export function stalePointError(what: string, ageMs: number, maxAgeMs: number, retryAfterSeconds: number, source: FallbackSource = 'rule'): MetricsError {
  return new ServiceUnavailableError(
    `the latest Datadog point of ${what} is ${Math.round(ageMs / 1000)}s old, older than maxAge (${Math.round(maxAgeMs / 1000)}s): ` +
      `the metric has stopped reporting or reports less often than maxAge; raise maxAge, or ${fallbackAdvice(source)}`,
    retryAfterSeconds,
  );
}

/**
 * The 503 for a metric with no valid point in its window: never an empty list, which the HPA can
 * only report as "no metrics returned", and not a 404 (the metric exists; Datadog has no point now).
 */
export function noPointError(what: string, windowSeconds: number, retryAfterSeconds: number, source: FallbackSource = 'rule'): MetricsError {
  return new ServiceUnavailableError(
    `no point found: Datadog has no point of ${what} in the last ${windowSeconds}s (the query matched no series, or only null points); ` +
      `check that the metric is reported with these tags, or ${fallbackAdvice(source)}`,
    retryAfterSeconds,
  );
}
