import type { KubeLookup } from './kube.js';
import type { CustomMetricsProvider, ExternalMetricsProvider, ResourceMetricsProvider } from './provider.js';

/** A structured logger (pino-compatible subset). The first argument may be an object of fields. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/**
 * BackendMetrics records a backend instance's self-metrics; the server exports them on `/metrics`
 * labelled with the instance name.
 */
export interface BackendMetrics {
  /**
   * observeCall records one call to the backend system (`operation` e.g. `query`, `series`).
   * `query` is the query text actually sent (PromQL, Flux/InfluxQL, a Datadog query): optional,
   * never exported as a metric label; the server keeps the last few per instance for its debug
   * page. Pass it from the one place the backend issues its requests.
   */
  observeCall(operation: string, seconds: number, outcome: 'success' | 'error', query?: string): void;
  /** cache records a cache lookup. */
  cache(result: 'hit' | 'miss' | 'stale'): void;
  /** count increments a named event counter (e.g. `samples_dropped_nan`, `series_limit_exceeded`). */
  count(event: string, n?: number): void;
  /** gauge sets a named gauge (e.g. `discovered_metrics`, `series`). */
  gauge(name: string, value: number): void;
}

/** What a backend instance is given by the host server. Everything a backend needs comes through here. */
export interface BackendContext {
  /** The instance name from the config (`backends[].name`). */
  readonly instanceName: string;
  /** The backend's view of the cluster. */
  readonly kube: KubeLookup;
  readonly logger: Logger;
  readonly metrics: BackendMetrics;
  /** Aborted when the server shuts down. */
  readonly signal: AbortSignal;
}

/** The health of a backend instance, for `/readyz`. */
export interface BackendHealth {
  healthy: boolean;
  /** A short human-readable reason, shown by `/readyz?verbose`. */
  message?: string;
}

/** What {@link BackendPlugin.create} returns: any subset of the three providers plus lifecycle hooks. */
export interface BackendInstance {
  custom?: CustomMetricsProvider;
  external?: ExternalMetricsProvider;
  resource?: ResourceMetricsProvider;
  /** Called once before the server starts serving (e.g. first discovery). */
  start?(): Promise<void>;
  /** Called on shutdown; must release timers and sockets. */
  close?(): Promise<void>;
  health?(): BackendHealth | Promise<BackendHealth>;
  /**
   * pending tells, while this instance cannot yet know which metrics it serves (e.g. its first
   * discovery has not succeeded because its backend system is unreachable), why; `undefined` once
   * it can. While any instance is pending, a metric no instance lists is answered 503 with this
   * reason instead of 404, since the metric may well exist.
   */
  pending?(): string | undefined;
  /**
   * routes are HTTP endpoints this instance adds to the server, served under the prefix the server
   * owns, `/backends/<instance name>/…` (e.g. the memory backend's `POST /backends/mem/write/…`).
   * The server authenticates and authorizes them like any other path (a non-resource
   * SubjectAccessReview of the full path, verb = the lower-cased method, e.g. `post`), refuses
   * anonymous users (401) before any handler runs, answers 404 for a path no route matches and 405
   * for a matching path with another method, and renders thrown `MetricsError`s as Status
   * objects. After a successful route whose method is not `GET`, the server re-reads the
   * instance's metric lists (so a written metric is listed at once).
   */
  readonly routes?: readonly BackendRoute[];
}

/** An HTTP method a {@link BackendRoute} can answer (`GET` also answers `HEAD`). */
export type BackendRouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One endpoint a backend instance contributes. Transport-neutral: the server (koa) adapts requests
 * and responses, so a backend never depends on an HTTP framework.
 */
export interface BackendRoute {
  readonly method: BackendRouteMethod;
  /**
   * The path relative to `/backends/<instance>`, starting with `/`: literal segments and
   * `:param` segments matching exactly one non-empty path segment (percent-decoded), e.g.
   * `/write/namespaces/:namespace/:resource/:name/:metric`. Routes are tried in order; the first
   * whose path matches and whose method matches wins.
   */
  readonly path: string;
  handle(request: BackendRouteRequest): Promise<BackendRouteResponse> | BackendRouteResponse;
}

/** The request a {@link BackendRoute} handler is given. */
export interface BackendRouteRequest {
  /** The `:param` segments of the route's path, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The query string; each key's values in order. */
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** The authenticated (never anonymous) user. */
  readonly user: { readonly name: string; readonly groups: readonly string[] };
  /** Aborted at the request deadline or when the client goes away. */
  readonly signal: AbortSignal;
  /**
   * body reads the request body as UTF-8 text, at most `limitBytes` bytes.
   * @throws `BadRequestError` when the body is larger (the message names the limit).
   */
  body(limitBytes: number): Promise<string>;
}

/** What a {@link BackendRoute} handler returns; errors are thrown as `MetricsError`s instead. */
export interface BackendRouteResponse {
  /** A 2xx status code. */
  readonly status: number;
  /** A JSON-serialisable document, sent as `application/json`. */
  readonly body: unknown;
}

/**
 * A backend plugin: a package default-exports one. The server validates `config` against
 * `configSchema` (JSON Schema draft 2020-12 / draft-07 subset understood by ajv) before `create`.
 */
export interface BackendPlugin<Config = unknown> {
  /** The type name used in the server config (`backends[].type`), e.g. `prometheus`. */
  readonly name: string;
  /** JSON Schema of `config`. Unknown fields should be rejected (`additionalProperties: false`). */
  readonly configSchema: Readonly<Record<string, unknown>>;
  /**
   * The default of `lookupOnDemand` for this plugin's instances (false when absent): true for
   * backends that can find a metric they have not listed yet (their own on-demand discovery).
   */
  readonly lookupOnDemand?: boolean;
  create(ctx: BackendContext, config: Config): BackendInstance | Promise<BackendInstance>;
}

/** Identity helper that gives a plugin literal its type. */
export function defineBackendPlugin<Config>(plugin: BackendPlugin<Config>): BackendPlugin<Config> {
  return plugin;
}
