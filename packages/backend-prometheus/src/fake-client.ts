import type { PrometheusClient, Sample } from './client.js';

/**
 * FakePrometheusClient is a map-driven double of {@link PrometheusClient} for unit tests: `series`
 * holds the label sets discovery sees (filtered by a `match[]` predicate you supply or, by default,
 * returned for every matcher), `answers` maps an exact PromQL string to its samples, `onQuery`
 * computes answers for other queries. Every call is recorded in `queries` / `seriesCalls`.
 */
export class FakePrometheusClient implements PrometheusClient {
  series_: Array<Record<string, string>> = [];
  readonly answers = new Map<string, Sample[]>();
  onQuery?: (promql: string) => Sample[];
  /** Decides whether a series matches a `match[]` selector; default: every series matches. */
  seriesMatches: (matcher: string, labels: Record<string, string>) => boolean = () => true;
  /** When set, every call rejects with this error. */
  failWith?: Error;
  readonly queries: string[] = [];
  readonly seriesCalls: Array<{ matchers: readonly string[]; start: Date; end: Date }> = [];
  closed = false;

  constructor(init: { series?: Array<Record<string, string>>; answers?: Record<string, Sample[]> } = {}) {
    this.series_ = init.series ?? [];
    for (const [q, s] of Object.entries(init.answers ?? {})) this.answers.set(q, s);
  }

  async query(promql: string, signal: AbortSignal): Promise<Sample[]> {
    signal.throwIfAborted();
    this.queries.push(promql);
    if (this.failWith) throw this.failWith;
    const a = this.answers.get(promql);
    if (a !== undefined) return a;
    return this.onQuery?.(promql) ?? [];
  }

  async series(
    matchers: readonly string[],
    range: { start: Date; end: Date },
    onSeries: (labels: Record<string, string>) => void,
    signal: AbortSignal,
  ): Promise<number> {
    signal.throwIfAborted();
    this.seriesCalls.push({ matchers, ...range });
    if (this.failWith) throw this.failWith;
    let n = 0;
    for (const s of this.series_) {
      if (matchers.some((m) => this.seriesMatches(m, s))) {
        onSeries({ ...s });
        n++;
      }
    }
    return n;
  }

  close(): void {
    this.closed = true;
  }
}
