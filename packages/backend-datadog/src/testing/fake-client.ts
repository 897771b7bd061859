// An in-process TimeseriesClient for tests of code built on this backend: it answers Datadog
// metric queries from stored series with the same evaluator as the HTTP double, without a socket.
import type { BatchResult, SeriesPoint, SeriesValue, TimeseriesClient } from '../client/datadog-client.js';
import { storeResolver, type StoredSeries } from './series-store.js';

/**
 * FakeDatadogClient implements {@link TimeseriesClient} over `series` (see {@link storeResolver}
 * for the query subset: `<agg>:<metric>{<tag filter>} by {<keys>}`). Each series' answer is its
 * last non-null point, as the real client keeps; calls are recorded in `calls`; `failWith` makes
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
        let point: SeriesPoint | undefined;
        for (let j = s.points.length - 1; j >= 0; j--) {
          const [t, v] = s.points[j];
          if (typeof v === 'number' && Number.isFinite(v)) {
            point = { value: v, timestamp: new Date(t) };
            break;
          }
          skippedPoints++;
        }
        if (point) out.push({ tags: s.tags, point });
      }
      return out;
    });
    return { results, rateLimit: {}, skippedPoints };
  }
}
