// The backend's own failure type. Clients throw InfluxQueryError with the backend detail; the
// providers log that detail and turn it into a core MetricsError (503 or 500) without it.

/** Why a call to InfluxDB failed. */
export type InfluxFailureKind =
  /** Connection refused/reset, DNS, 5xx, 401/403, timeout: the backend is not usable now (503). */
  | 'unavailable'
  /** InfluxDB rejected the query (400, a statement `error`): a template or config bug (500). */
  | 'query';

/** A failed call to InfluxDB; `message` holds backend detail that must never reach a client. */
export class InfluxQueryError extends Error {
  override readonly name = 'InfluxQueryError';
  constructor(
    readonly kind: InfluxFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Brand check for {@link InfluxQueryError} that also works across module copies. */
export function isInfluxQueryError(e: unknown): e is InfluxQueryError {
  return e instanceof Error && e.name === 'InfluxQueryError' && typeof (e as { kind?: unknown }).kind === 'string';
}
