/**
 * The `MetricsError` family: transport-neutral errors that know how to render themselves as a
 * Kubernetes `metav1.Status` (contract §4). Only the server maps them to HTTP, via `toStatus()`.
 */

const BRAND = Symbol.for('@custom-metrics/core/MetricsError');

/** One `metav1.StatusCause`. Keys are emitted in Go struct order: `reason`, `message`, `field`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/**
 * `metav1.StatusDetails`. Keys are emitted in Go struct order: `name`, `group`, `kind`, `uid`,
 * `causes`, `retryAfterSeconds`; empty ones are omitted (Go `omitempty`).
 */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A failure `metav1.Status` as the apiserver writes it (contract §4). */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  /** Omitted when empty. */
  message?: string;
  /** Omitted when empty (plain Go errors rendered as 500 have no reason). */
  reason?: string;
  details?: StatusDetails;
  /** Equals the HTTP status code. */
  code: number;
}

/** Options shared by every {@link MetricsError}. */
export interface MetricsErrorOptions {
  details?: StatusDetails;
  retryAfterSeconds?: number;
  cause?: unknown;
}

function orderedCause(c: StatusCause): StatusCause {
  const out: StatusCause = {};
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  if (c.field) out.field = c.field;
  return out;
}

/** Copies details into Go struct order, dropping empty (`omitempty`) fields. */
function orderedDetails(d: StatusDetails, retryAfterSeconds: number | undefined): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) out.causes = d.causes.map(orderedCause);
  const retry = retryAfterSeconds ?? d.retryAfterSeconds;
  if (retry !== undefined && retry > 0) out.retryAfterSeconds = Math.floor(retry);
  return out;
}

/**
 * MetricsError is the base of every error a request can trigger. `code` is the HTTP status code,
 * `reason` the `metav1.StatusReason` (`""` for plain errors), `details` the Status details.
 * Check for it with {@link isMetricsError}, never `instanceof` (several copies of core may be loaded).
 */
export abstract class MetricsError extends Error {
  /** HTTP status code and `Status.code`. */
  abstract readonly code: number;
  /** `Status.reason`, e.g. `NotFound`; `""` renders no reason. */
  abstract readonly reason: string;
  /** `Status.details`, when the error carries any. */
  readonly details: StatusDetails | undefined;
  /** Seconds a client should wait before retrying (`Retry-After`), when positive. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: MetricsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Renders this error as a `metav1.Status` with keys in Go order (contract §4). */
  toStatus(): Status {
    const hasDetails = this.details !== undefined || (this.retryAfterSeconds ?? 0) > 0;
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      ...(this.message ? { message: this.message } : {}),
      ...(this.reason ? { reason: this.reason } : {}),
      ...(hasDetails ? { details: orderedDetails(this.details ?? {}, this.retryAfterSeconds) } : {}),
      code: this.code || 500,
    };
  }
}

/**
 * Brand check for {@link MetricsError}: true for any error created by any loaded copy of core.
 */
export function isMetricsError(e: unknown): e is MetricsError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as Record<symbol, unknown>)[BRAND] === true &&
    typeof (e as { toStatus?: unknown }).toStatus === 'function'
  );
}

/** 404 NotFound. */
export class NotFoundError extends MetricsError {
  readonly code = 404;
  readonly reason = 'NotFound';
  constructor(message: string, details?: StatusDetails) {
    super(message, { details });
  }
}

/** 400 BadRequest (`errors.NewBadRequest`): e.g. an unparseable `labelSelector`. */
export class BadRequestError extends MetricsError {
  readonly code = 400;
  readonly reason = 'BadRequest';
  constructor(message: string) {
    super(message);
  }
}

/** 401 Unauthorized: authentication failed. */
export class UnauthorizedError extends MetricsError {
  readonly code = 401;
  readonly reason = 'Unauthorized';
  constructor(message = 'Unauthorized') {
    super(message);
  }
}

/** 403 Forbidden. Build the apiserver's exact message with `forbiddenFor` (errors-forbidden.ts). */
export class ForbiddenError extends MetricsError {
  readonly code = 403;
  readonly reason = 'Forbidden';
  constructor(message: string, details?: StatusDetails) {
    super(message, { details });
  }
}

/**
 * 405 MethodNotAllowed; by default go-restful's generic message with `details:{}` (a route hit
 * with another method). See {@link methodNotSupported} for an action a resource does not offer.
 */
export class MethodNotAllowedError extends MetricsError {
  readonly code = 405;
  readonly reason = 'MethodNotAllowed';
  constructor(message = 'the server does not allow this method on the requested resource', details: StatusDetails = {}) {
    super(message, { details });
  }
}

/** 406 NotAcceptable: no acceptable media type. */
export class NotAcceptableError extends MetricsError {
  readonly code = 406;
  readonly reason = 'NotAcceptable';
  constructor(message: string) {
    super(message);
  }
}

/** 429 TooManyRequests (`errors.NewTooManyRequests`); `retryAfterSeconds` becomes `Retry-After`. */
export class TooManyRequestsError extends MetricsError {
  readonly code = 429;
  readonly reason = 'TooManyRequests';
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { retryAfterSeconds });
  }
}

/** 503 ServiceUnavailable (`errors.NewServiceUnavailable`), e.g. a backend that is down or slow. */
export class ServiceUnavailableError extends MetricsError {
  readonly code = 503;
  readonly reason = 'ServiceUnavailable';
  constructor(message: string, retryAfterSeconds?: number) {
    super(message, { retryAfterSeconds });
  }
}

/**
 * 500 InternalError as `errors.NewInternalError(err)` builds it: the message is
 * `Internal error occurred: <message>` and the details carry one cause with `<message>`.
 * `message` is returned to clients: never put backend detail in it (log that instead).
 */
export class InternalError extends MetricsError {
  readonly code = 500;
  readonly reason = 'InternalError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(`Internal error occurred: ${message}`, { details: { causes: [{ message }] }, cause: options.cause });
  }
}

/**
 * A plain (non-StatusError) Go error as the apiserver renders it: 500 with no reason, the message
 * verbatim. custom-metrics-apiserver answers a bad `metricLabelSelector` this way
 * (`status-internal-metricselector.json`).
 */
export class PlainInternalError extends MetricsError {
  readonly code = 500;
  readonly reason = '';
  constructor(message: string) {
    super(message);
  }
}

// --- constructors with the exact upstream messages (contract §4)

/** Anything with a canonical `toString()`, such as a `Selector`. */
export interface Stringer {
  toString(): string;
}

function grString(gr: { group: string; resource: string }): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

/**
 * 404 for a metric unknown for a resource (custom-metrics-apiserver `NewMetricNotFoundError`):
 * `the server could not find the metric <metric> for <groupResource>`.
 */
export function metricNotFound(gr: { group: string; resource: string }, metric: string): NotFoundError {
  return new NotFoundError(`the server could not find the metric ${metric} for ${grString(gr)}`);
}

/**
 * 404 for a metric missing for a named object (`NewMetricNotFoundForError`):
 * `the server could not find the metric <metric> for <groupResource> <name>`.
 */
export function metricNotFoundFor(gr: { group: string; resource: string }, metric: string, name: string): NotFoundError {
  return new NotFoundError(`the server could not find the metric ${metric} for ${grString(gr)} ${name}`);
}

/**
 * 404 when a metric selector matches nothing (`NewMetricNotFoundForSelectorError`):
 * `the server could not find the metric <metric> for <groupResource> <name> with selector <selector>`.
 */
export function metricNotFoundForSelector(
  gr: { group: string; resource: string },
  metric: string,
  name: string,
  selector: Stringer | string,
): NotFoundError {
  return new NotFoundError(
    `the server could not find the metric ${metric} for ${grString(gr)} ${name} with selector ${String(selector)}`,
  );
}

/** 404 for an unknown route, as go-restful answers it (`status-notfound-route.json`). */
export function routeNotFound(): NotFoundError {
  return new NotFoundError('the server could not find the requested resource', {});
}

/**
 * 405 for an action a resource does not support (`errors.NewMethodNotSupported`), e.g. a watch:
 * `watch is not supported on resources of kind "<resource.group>"`, details `{group, kind: <resource>}`.
 */
export function methodNotSupported(gr: { group: string; resource: string }, action: string): MethodNotAllowedError {
  return new MethodNotAllowedError(`${action} is not supported on resources of kind ${quote(grString(gr))}`, { group: gr.group, kind: gr.resource });
}

/** 400 for a request path with too few parts (`status-badrequest-path.json`). */
export function invalidRequestPath(): BadRequestError {
  return new BadRequestError('invalid request path');
}

/** Go `%q` for the printable strings Kubernetes names consist of; escapes quotes, backslashes and controls. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp < 0x20 || cp === 0x7f) {
      const named: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };
      out += named[cp] !== undefined ? `\\${named[cp]}` : `\\x${cp.toString(16).padStart(2, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/**
 * 404 as apimachinery `errors.NewNotFound(groupResource, name)` builds it:
 * `<resource>.<group> "<name>" not found`, details `{name, group, kind: <resource>}`.
 */
export function resourceNotFound(gr: { group: string; resource: string }, name: string): NotFoundError {
  return new NotFoundError(`${grString(gr)} ${quote(name)} not found`, { name, group: gr.group, kind: gr.resource });
}

/** metrics-server's 404 for a pod without metrics: `podmetrics.metrics.k8s.io "<ns>/<name>" not found`. */
export function podMetricsNotFound(namespace: string, name: string): NotFoundError {
  return resourceNotFound({ group: 'metrics.k8s.io', resource: 'podmetrics' }, `${namespace}/${name}`);
}

/** metrics-server's 404 for a node without metrics: `nodemetrics.metrics.k8s.io "<name>" not found`. */
export function nodeMetricsNotFound(name: string): NotFoundError {
  return resourceNotFound({ group: 'metrics.k8s.io', resource: 'nodemetrics' }, name);
}

/** Attributes of a request that authorization denied (the fields `ForbiddenStatusError` reads). */
export type ForbiddenAttributes =
  | {
      /** A resource request. */
      resourceRequest: true;
      verb: string;
      apiGroup: string;
      resource: string;
      subresource?: string;
      namespace?: string;
      name?: string;
    }
  | {
      /** A non-resource request such as `GET /apis`. */
      resourceRequest: false;
      verb: string;
      path: string;
    };

/**
 * The apiserver's 403 for a denied request (`responsewriters.ForbiddenStatusError` +
 * `errors.NewForbidden`), e.g. `pods.custom.metrics.k8s.io "*" is forbidden: User "u" cannot get
 * resource "pods/http_requests" in API group "custom.metrics.k8s.io" in the namespace "default"`,
 * details `{name, group, kind: <resource>}`. Cluster-scoped requests end with `at the cluster scope`,
 * non-resource requests read `forbidden: User "u" cannot get path "/apis"` with `details:{}`.
 * A non-empty `reason` (the authorizer's) is appended after `: `.
 */
export function forbiddenFor(attrs: ForbiddenAttributes, user: string, reason?: string): ForbiddenError {
  let msg: string;
  if (!attrs.resourceRequest) {
    msg = `User ${quote(user)} cannot ${attrs.verb} path ${quote(attrs.path)}`;
  } else {
    const res = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const where = attrs.namespace ? `in the namespace ${quote(attrs.namespace)}` : 'at the cluster scope';
    msg = `User ${quote(user)} cannot ${attrs.verb} resource ${quote(res)} in API group ${quote(attrs.apiGroup)} ${where}`;
  }
  if (reason) msg += `: ${reason}`;
  const group = attrs.resourceRequest ? attrs.apiGroup : '';
  const resource = attrs.resourceRequest ? attrs.resource : '';
  const name = attrs.resourceRequest ? (attrs.name ?? '') : '';
  const gr = grString({ group, resource });
  let message: string;
  if (group === '' && resource === '' && name === '') message = `forbidden: ${msg}`;
  else if (name === '') message = `${gr} is forbidden: ${msg}`;
  else message = `${gr} ${quote(name)} is forbidden: ${msg}`;
  return new ForbiddenError(message, { name, group, kind: resource });
}

// --- rendering any error

const SELECTOR_BRAND = Symbol.for('@custom-metrics/core/SelectorParseError');

/** The message of the 503 {@link errorToStatus} returns for an aborted or timed-out backend call. */
export const BACKEND_TIMEOUT_MESSAGE = 'the metrics backend did not answer in time';

/** The reason text of the generic 500 {@link errorToStatus} returns for unexpected errors. */
export const GENERIC_INTERNAL_MESSAGE = 'unable to process the request';

/**
 * Renders any thrown value as a `metav1.Status`:
 * - a {@link MetricsError} (from any copy of core) renders itself;
 * - a `SelectorParseError` becomes 400 BadRequest with apimachinery's message;
 * - an `AbortError`/`TimeoutError` becomes 503 ServiceUnavailable ({@link BACKEND_TIMEOUT_MESSAGE});
 * - anything else becomes a generic 500 InternalError whose text reveals nothing of the error.
 */
export function errorToStatus(err: unknown): Status {
  if (isMetricsError(err)) return err.toStatus();
  if (typeof err === 'object' && err !== null) {
    if ((err as Record<symbol, unknown>)[SELECTOR_BRAND] === true) {
      return new BadRequestError(String((err as { message?: unknown }).message ?? '')).toStatus();
    }
    const name = (err as { name?: unknown }).name;
    if (name === 'AbortError' || name === 'TimeoutError') {
      return new ServiceUnavailableError(BACKEND_TIMEOUT_MESSAGE).toStatus();
    }
  }
  return new InternalError(GENERIC_INTERNAL_MESSAGE).toStatus();
}
