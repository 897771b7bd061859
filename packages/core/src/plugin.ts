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
  /** observeCall records one call to the backend system (`operation` e.g. `query`, `series`). */
  observeCall(operation: string, seconds: number, outcome: 'success' | 'error'): void;
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
