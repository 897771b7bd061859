import type { PrometheusClient, Sample } from '../client.js';
import { matchesAll, parseQuery, parseVectorSelector } from './selector-eval.js';

/** One series a {@link FakePrometheusClient} holds after {@link FakePrometheusClient.serve}. */
export interface FakeSeries {
  /** All labels, `__name__` included. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Sample time (default: the time of the query). */
  readonly timestampMs?: number;
}

/**
 * FakePrometheusClient is a map-driven double of {@link PrometheusClient} for unit tests: `series`
 * holds the label sets discovery sees (filtered by a `match[]` predicate you supply or, by default,
 * returned for every matcher), `answers` maps an exact PromQL string to its samples, `onQuery`
 * computes answers for other queries. Every call is recorded in `queries` / `seriesCalls`.
 * {@link FakePrometheusClient.serve} instead makes it evaluate selectors over stored series, as a
 * small Prometheus would.
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

  /**
   * serve makes the fake answer like a Prometheus holding `series`: `series()` applies its
   * `match[]` selectors, and `query()` evaluates a vector selector (`name{l="v",l=~"re",…}`) or
   * `sum(<selector>) by (labels)`. Rules used with it must build their queries in those forms;
   * any other query throws, naming it. Replaces `seriesMatches` and `onQuery`.
   */
  serve(series: readonly FakeSeries[]): void {
    this.series_ = series.map((s) => ({ ...s.labels }));
    this.seriesMatches = (matcher, labels) => matchesAll(parseVectorSelector(matcher), labels);
    this.onQuery = (promql) => {
      const q = parseQuery(promql);
      const now = Date.now();
      const hits = series.filter((s) => matchesAll(q.matchers, s.labels));
      if (!q.sumBy) return hits.map((s) => ({ labels: { ...s.labels }, value: s.value, timestampMs: s.timestampMs ?? now }));
      const groups = new Map<string, { labels: Record<string, string>; value: number; timestampMs: number }>();
      for (const s of hits) {
        const labels: Record<string, string> = {};
        for (const l of q.sumBy) if (s.labels[l] !== undefined && s.labels[l] !== '') labels[l] = s.labels[l];
        const key = JSON.stringify(labels);
        const g = groups.get(key);
        if (g) g.value += s.value;
        else groups.set(key, { labels, value: s.value, timestampMs: s.timestampMs ?? now });
      }
      return [...groups.values()];
    };
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
