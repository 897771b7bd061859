// The errors of this backend. Config errors are core's ConfigError (naming the field); request-time
// failures are core's backendFailure kinds (the server renders them as Kubernetes Status objects).
// What is specific to the backend is how the metrics API's answers map to those kinds.
import { backendFailure, type BackendFailureKind, type MetricsError } from '@custom-metrics/core';

/**
 * failureKindForStatus classifies a non-2xx HTTP status of the metrics API: 401/403 `credentials`,
 * 429 `throttled`, any other 4xx `rejected` (it refused the query we built), 5xx `unreachable`.
 */
export function failureKindForStatus(status: number): BackendFailureKind {
  if (status === 401 || status === 403) return 'credentials';
  if (status === 429) return 'throttled';
  if (status >= 400 && status < 500) return 'rejected';
  return 'unreachable';
}

/** failureForStatus is the error for a non-2xx answer, per {@link failureKindForStatus}, saying what to check. */
export function failureForStatus(status: number): MetricsError {
  const kind = failureKindForStatus(status);
  switch (kind) {
    case 'credentials':
      return backendFailure(kind, `the metrics API refused our credentials (HTTP ${status}); check the backend's credentials`);
    case 'throttled':
      return backendFailure(kind, 'the metrics API is rate-limiting this server (HTTP 429); retry later');
    case 'rejected':
      return backendFailure(kind, `the metrics API rejected the query (HTTP ${status}); check the rule's series and label names`);
    default:
      return backendFailure(kind, `the metrics API answered HTTP ${status}; retry later`);
  }
}
