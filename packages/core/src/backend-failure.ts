/**
 * One table from "what went wrong talking to a backend" to the `metav1.Status` a client gets, so
 * the same failure answers the same way whatever the backend. Backends classify, {@link backendFailure}
 * builds the error; backend detail (the query, the backend's own message) is logged, never put in it.
 */
import { ResponseTooLargeError } from './bounded-body.js';
import {
  BACKEND_TIMEOUT_MESSAGE,
  BadRequestError,
  InternalError,
  type MetricsError,
  NotFoundError,
  ServiceUnavailableError,
} from './errors.js';

/** Why a backend call failed. */
export type BackendFailureKind =
  /** Connection refused/reset, DNS, TLS, a 5xx: the backend cannot be used now. */
  | 'unreachable'
  /** The backend did not answer within the request's deadline or the backend's timeout. */
  | 'timeout'
  /** The backend is rate-limiting us (429, an exhausted quota). */
  | 'throttled'
  /** The backend refused our credentials (401/403): an operator must fix the secret. */
  | 'credentials'
  /** The backend answered with something that is not its documented format. */
  | 'malformed'
  /** The answer is larger than the backend's `maxResponseBytes`. */
  | 'tooLarge'
  /** The backend rejected the query we built (a 400, a statement error): a rule or template bug. */
  | 'rejected'
  /** The request asks for a selector (operator, key or value) this backend cannot express. */
  | 'unsupportedSelector'
  /** The metric or object has no data in this backend. */
  | 'notFound';

/** The Status a failure kind renders as. */
export interface FailureStatus {
  readonly code: number;
  readonly reason: string;
}

/**
 * The failure table. Transient backend trouble is 503 (clients such as the HPA retry and keep
 * their last decision); a query the backend rejects is our bug, 500; what the client asked for and
 * cannot be answered is 400 or 404.
 */
export const FAILURE_STATUS: Readonly<Record<BackendFailureKind, FailureStatus>> = Object.freeze({
  unreachable: { code: 503, reason: 'ServiceUnavailable' },
  timeout: { code: 503, reason: 'ServiceUnavailable' },
  throttled: { code: 503, reason: 'ServiceUnavailable' },
  credentials: { code: 503, reason: 'ServiceUnavailable' },
  malformed: { code: 503, reason: 'ServiceUnavailable' },
  tooLarge: { code: 503, reason: 'ServiceUnavailable' },
  rejected: { code: 500, reason: 'InternalError' },
  unsupportedSelector: { code: 400, reason: 'BadRequest' },
  notFound: { code: 404, reason: 'NotFound' },
});

/** Options of {@link backendFailure}. */
export interface BackendFailureOptions {
  /** `Retry-After` for the 503 kinds, in seconds. */
  readonly retryAfterSeconds?: number;
  /** `tooLarge`: the limit that was passed (the message then says how to raise it). */
  readonly limitBytes?: number;
  /** The underlying error, kept for logs (never rendered). */
  readonly cause?: unknown;
}

const DEFAULT_MESSAGES: Readonly<Record<BackendFailureKind, string>> = {
  unreachable: 'the metrics backend is unavailable',
  timeout: BACKEND_TIMEOUT_MESSAGE,
  throttled: 'the metrics backend is rate-limiting this server; retry later',
  credentials: 'the metrics backend refused our credentials; check the backend\'s token or key',
  malformed: 'the metrics backend sent an answer that could not be read',
  tooLarge: 'the metrics backend\'s answer is larger than maxResponseBytes',
  rejected: 'the metrics backend rejected the query',
  unsupportedSelector: 'the selector cannot be expressed by this metrics backend',
  notFound: 'the server could not find the requested metric',
};

/**
 * backendFailure builds the `MetricsError` for a failure of `kind` per {@link FAILURE_STATUS}. The
 * `message` goes to the client: say what to fix, never include backend detail (log that).
 */
export function backendFailure(kind: BackendFailureKind, message?: string, options: BackendFailureOptions = {}): MetricsError {
  const text = message ?? DEFAULT_MESSAGES[kind];
  switch (kind) {
    case 'unsupportedSelector':
      return new BadRequestError(text);
    case 'notFound':
      return new NotFoundError(text);
    case 'rejected':
      return new InternalError(text, { cause: options.cause });
    case 'tooLarge':
      if (options.limitBytes !== undefined) return new ResponseTooLargeError(options.limitBytes);
      return new ServiceUnavailableError(text, options.retryAfterSeconds);
    default:
      return new ServiceUnavailableError(text, options.retryAfterSeconds);
  }
}

/**
 * The 400 for a label-selector operator a backend cannot express:
 * `<backend> cannot filter on label selector operator "<op>" (in "<key> <op> ..."); use one of <supported>`.
 */
export function unsupportedSelectorOperator(backend: string, operator: string, key: string, supported: readonly string[]): MetricsError {
  return backendFailure(
    'unsupportedSelector',
    `the ${backend} backend cannot filter on label selector operator ${JSON.stringify(operator)} (used on ${JSON.stringify(key)}); use one of ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  );
}
