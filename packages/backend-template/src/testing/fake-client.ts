// An in-memory TemplateClient: it answers queries from stored series with the matcher semantics
// of the metrics API (query/build.ts matchesQuery) and records every query.
import type { Sample, TemplateClient } from '../client.js';
import { matchesQuery, type SeriesQuery } from '../query/build.js';

/** One stored series: its name in the metrics API, labels, latest value. */
export interface FakeSeries {
  readonly series: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Epoch milliseconds (default: the time of the query). */
  readonly timestampMs?: number;
}

/** FakeTemplateClient implements {@link TemplateClient} over `series`; `failWith` makes every call reject. */
export class FakeTemplateClient implements TemplateClient {
  readonly queries: SeriesQuery[] = [];
  failWith?: Error;
  #series: readonly FakeSeries[];

  constructor(series: readonly FakeSeries[] = []) {
    this.#series = series;
  }

  /** Replaces the stored series. */
  serve(series: readonly FakeSeries[]): void {
    this.#series = series;
  }

  async query(query: SeriesQuery, signal: AbortSignal): Promise<Sample[]> {
    signal.throwIfAborted();
    this.queries.push(query);
    if (this.failWith) throw this.failWith;
    const now = Date.now();
    return this.#series
      .filter((s) => s.series === query.series && matchesQuery(query, s.labels))
      .map((s) => ({ labels: { ...s.labels }, value: s.value, timestampMs: s.timestampMs ?? now }));
  }
}
