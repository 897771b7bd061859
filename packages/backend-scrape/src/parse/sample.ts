/** The exposition formats the parser understands. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** Metric family types of both formats (`untyped` is text 0.0.4, the rest OpenMetrics or both). */
export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'untyped'
  | 'unknown';

/** One sample line: a series (name + labels) and its value. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The value; may be NaN or ±Infinity. */
  readonly value: number;
  /** Exposed timestamp in milliseconds since the epoch, if the line had one. */
  readonly timestampMs?: number;
}

/** Metadata of one metric family (`# HELP`, `# TYPE`, `# UNIT`). */
export interface MetricFamilyMeta {
  readonly name: string;
  type: MetricType;
  help?: string;
  unit?: string;
}

/** What {@link parseExposition} returns. */
export interface ParseResult {
  readonly format: ExpositionFormat;
  readonly samples: ParsedSample[];
  /** Families by name, for those with metadata lines. */
  readonly families: Map<string, MetricFamilyMeta>;
}

/** Bounds and format selection for {@link parseExposition}. */
export interface ParseOptions {
  /** Format; default detected from `contentType`, else from a trailing `# EOF`. */
  format?: ExpositionFormat;
  /** A response Content-Type header used to pick the format. */
  contentType?: string;
  /** Longest accepted line in characters. Default 65 536. */
  maxLineLength?: number;
  /** Most sample lines accepted. Default 100 000. */
  maxSamples?: number;
}
