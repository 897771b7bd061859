// An in-memory InfluxQueryClient for tests of code built on this backend: it records each query
// text and answers with rows from a function.
import type { InfluxQueryClient, InfluxRow } from './types.js';

/** Answers queries from `answer` and records them in `queries`. */
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

  async query(text: string, options: { valueColumn?: string; signal: AbortSignal }): Promise<InfluxRow[]> {
    options.signal.throwIfAborted();
    this.queries.push(text);
    return this.#answer(text);
  }
}
