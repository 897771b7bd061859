/**
 * Errors of the Prometheus backend that are not request errors. Request-triggered failures use
 * core's `MetricsError` family directly (`BadRequestError` for a selector PromQL cannot express,
 * `ServiceUnavailableError` for an unreachable backend).
 */

/** A `<<`/`>>` template that is malformed or uses a construct outside the supported subset. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** A configuration value that is invalid: core's path-carrying `ConfigError` (e.g. `rules[2].name.matches`). */
export { ConfigError } from '@custom-metrics/core';

/** A response from the Prometheus HTTP API that could not be used (status, shape, or transport). */
export class PrometheusApiError extends Error {
  override readonly name = 'PrometheusApiError';
  constructor(
    message: string,
    /** HTTP status, or 0 for transport errors and timeouts. */
    readonly status: number,
    /** Prometheus' `errorType` when the API returned one. */
    readonly errorType?: string,
  ) {
    super(message);
  }
}
