// The shape both query paths return: flat rows of labels, time and a raw value.

/** One result row, language-neutral. */
export interface InfluxRow {
  /** Tag values (and other string columns) of the row; empty values are left out. */
  labels: Record<string, string>;
  /** Row time in epoch milliseconds, when the result has one. */
  time: number | undefined;
  /** The raw value cell (number, numeric string, null, missing…); the provider keeps finite numbers. */
  value: unknown;
}

/** Runs one query text and returns its rows. Failures are InfluxQueryErrors; a caller abort rethrows the signal's reason. */
export interface InfluxQueryClient {
  query(text: string, options: { valueColumn?: string; signal: AbortSignal }): Promise<InfluxRow[]>;
}
