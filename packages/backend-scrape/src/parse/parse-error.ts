/**
 * ExpositionParseError is thrown for text that is not valid Prometheus text 0.0.4 or OpenMetrics
 * 1.0 exposition, or that exceeds a configured bound. `line` is 1-based.
 */
export class ExpositionParseError extends Error {
  override readonly name = 'ExpositionParseError';
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${reason}`);
  }
}
