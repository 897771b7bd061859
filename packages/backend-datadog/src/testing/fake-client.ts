// An in-process TimeseriesClient for tests of code built on this backend: it answers Datadog
// metric queries from stored series with the same evaluator as the HTTP double, without a socket.
import type { BatchResult, SeriesPoint, SeriesValue, TimeseriesClient } from '../client/datadog-client.js';
import { storeResolver, type StoredSeries } from './series-store.js';

/**
 * FakeDatadogClient implements {@link TimeseriesClient} over `series` (see {@link storeResolver}
 * for the query subset: `<agg>:<metric>{<tag filter>} by {<keys>}`). Each series' answer is its
 * valid (non-null) points inside [from, to], as the real client keeps; calls are recorded in `calls`; `failWith` makes
 * every call reject.
 */
export class FakeDatadogClient implements TimeseriesClient {
  readonly calls: Array<{ queries: readonly string[]; fromMs: number; toMs: number }> = [];
  /** When set, every call rejects with this error (e.g. a `DatadogApiError`). */
  failWith?: Error;
  #resolve: (query: string) => Array<{ tags: string[]; points: Array<[number, number | null]> }>;

  constructor(series: readonly StoredSeries[] = []) {
    this.#resolve = storeResolver(series);
  }

  /** Replaces the stored series. */
  serve(series: readonly StoredSeries[]): void {
    this.#resolve = storeResolver(series);
  }

  async queryBatch(queries: readonly string[], fromMs: number, toMs: number, signal: AbortSignal): Promise<BatchResult> {
    signal.throwIfAborted();
    this.calls.push({ queries: [...queries], fromMs, toMs });
    if (this.failWith) throw this.failWith;
    let skippedPoints = 0;
    const results = queries.map((q): SeriesValue[] => {
      const out: SeriesValue[] = [];
      for (const s of this.#resolve(q)) {
        const points: SeriesPoint[] = [];
        let trailing = 0;
        for (const [t, v] of s.points) {
          if (t < fromMs || t > toMs) continue;
          if (typeof v === 'number' && Number.isFinite(v)) {
            points.push({ value: v, timestamp: new Date(t) });
            trailing = 0;
          } else trailing++;
        }
        skippedPoints += trailing;
        if (points.length > 0) out.push({ tags: s.tags, point: points[points.length - 1], points });
      }
      return out;
    });
    return { results, rateLimit: {}, skippedPoints };
  }
}
