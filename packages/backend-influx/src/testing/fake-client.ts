// An in-memory InfluxQueryClient for tests of code built on this backend: it records each query
// text and answers with rows from a function, or evaluates InfluxQL over stored points.
import type { InfluxQueryClient, InfluxRow } from '../client/types.js';
import { evaluateInfluxQL, type FakeInfluxPoint } from './influxql-eval.js';

/**
 * Answers queries from `answer` and records them in `queries`; {@link FakeInfluxClient.serve}
 * makes it evaluate InfluxQL over stored points instead.
 */
export class FakeInfluxClient implements InfluxQueryClient {
  readonly queries: string[] = [];
  #answer: (text: string) => InfluxRow[] | Promise<InfluxRow[]>;

  constructor(answer: (text: string) => InfluxRow[] | Promise<InfluxRow[]> = () => []) {
    this.#answer = answer;
  }

  /** Replaces the answering function. */
  answer(fn: (text: string) => InfluxRow[] | Promise<InfluxRow[]>): void {
    this.#answer = fn;
  }

  /**
   * serve makes the fake answer like an InfluxDB 1.x holding `points`, for rules in `influxql`
   * mode whose queries read `last(…)` with `WHERE` tag comparisons and `GROUP BY` (see
   * influxql-eval.ts for the exact subset). A query outside that subset rejects, naming it.
   */
  serve(points: readonly FakeInfluxPoint[]): void {
    this.#answer = (text) => evaluateInfluxQL(text, points);
  }

  async query(text: string, options: { valueColumn?: string; signal: AbortSignal }): Promise<InfluxRow[]> {
    options.signal.throwIfAborted();
    this.queries.push(text);
    return this.#answer(text);
  }
}
