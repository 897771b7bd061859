import { DEFAULT_MAX_RESPONSE_BYTES } from '@custom-metrics/core';

/**
 * The default of `discovery.maxResponseBytes`: 1 GiB, about 8 million series of ~130 bytes (a
 * 1M-series listing is ~120 MB). A series listing is streamed and reduced as it arrives, so memory
 * does not grow with this limit (unlike an instant query's answer, held and parsed whole, which is
 * why `maxResponseBytes` stays 32 MiB); it only bounds the work of one relist, as its deadline does.
 */
export const DEFAULT_SERIES_MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;
import { ConfigError, parseDuration as parseCoreDuration } from '@custom-metrics/core';

/** prometheus-adapter's `GroupResource` in `resources.overrides`. */
export interface GroupResourceConfig {
  group?: string;
  resource: string;
}

/** prometheus-adapter's `resources` block. */
export interface ResourceMappingConfig {
  /** `<<.Group>>` / `<<.Resource>>` template producing a label name from a group-resource. */
  template?: string;
  /** Label name → group-resource exceptions to the template. */
  overrides?: Record<string, GroupResourceConfig>;
  /** External rules only: add the HPA's namespace to the query (default true). */
  namespaced?: boolean;
}

/** prometheus-adapter's `seriesFilters` entry: exactly one of `is` / `isNot`. */
export interface RegexFilterConfig {
  is?: string;
  isNot?: string;
}

/** prometheus-adapter's `name` block. */
export interface NameMappingConfig {
  /** Regex on the series name (default `.*`). */
  matches?: string;
  /** API name with `$1`-style captures (default `$1` with one group, `$0` with none). */
  as?: string;
}

/** One entry of `rules` or `externalRules`. */
export interface DiscoveryRuleConfig {
  seriesQuery: string;
  seriesFilters?: RegexFilterConfig[];
  resources?: ResourceMappingConfig;
  name?: NameMappingConfig;
  metricsQuery?: string;
  labelValueReplacements?: Array<{ find?: string; replace?: string }>;
}

/** One of `resourceRules.cpu` / `resourceRules.memory`. */
export interface ResourceRuleConfig {
  containerQuery: string;
  nodeQuery: string;
  resources?: ResourceMappingConfig;
  containerLabel: string;
}

/** prometheus-adapter's `resourceRules`. */
export interface ResourceRulesConfig {
  cpu: ResourceRuleConfig;
  memory: ResourceRuleConfig;
  /** The window the queries use (e.g. `3m`), reported as the metrics' window. Default `1m`. */
  window?: string;
}

/** How to authenticate to Prometheus. At most one of bearer token / basic auth. */
export interface AuthConfig {
  bearerToken?: string;
  /** A file holding the bearer token; re-read when it changes. */
  bearerTokenFile?: string;
  /** Use the pod's service-account token (`/var/run/secrets/kubernetes.io/serviceaccount/token`). */
  inClusterServiceAccount?: boolean;
  basic?: { username: string; password?: string; passwordFile?: string };
}

/** TLS settings for an `https` URL. */
export interface TlsConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify?: boolean;
}

/** The Prometheus backend's configuration (`backends[].config`). */
export interface PrometheusBackendConfig {
  /** Base URL of the Prometheus HTTP API (Prometheus, Thanos Query, Mimir, VictoriaMetrics). */
  url: string;
  /** HTTP method for instant queries (default `POST`). */
  method?: 'POST' | 'GET';
  /** Deadline of every backend call (default `10s`). */
  timeout?: string;
  /** Largest instant-query answer read from Prometheus, in bytes (default 32 MiB); past it a request is a 503. */
  maxResponseBytes?: number;
  headers?: Record<string, string>;
  auth?: AuthConfig;
  tls?: TlsConfig;
  discovery?: {
    /** Relist interval (default `1m`; prometheus-adapter's `--metrics-relist-interval`). */
    interval?: string;
    /** How far back `/api/v1/series` looks (default: the interval, at least `1m`). */
    lookback?: string;
    /** A metric stays served until absent from discovery this long (default `10m`). */
    maxAge?: string;
    /** Look an undiscovered metric up when it is first requested (default true). */
    onDemand?: boolean;
    /** Minimum time between two on-demand lookups (default `10s`). */
    onDemandMinInterval?: string;
    /** Longest a request waits for an on-demand lookup before its 404 (default `1s`). */
    onDemandWait?: string;
    /**
     * Largest `/api/v1/series` answer read, in bytes (default 1 GiB): streamed, never held, so
     * memory does not grow with it; past it that relist's series call fails.
     */
    maxResponseBytes?: number;
  };
  cache?: {
    /** Identical queries within this window share one backend call (default `5s`; `0s` disables). */
    ttl?: string;
    /** Serve a value up to this much past its TTL when Prometheus fails (default `0s`: off). */
    serveStale?: string;
  };
  query?: {
    /** Longest regex of object names in one query, in bytes (default 8192). */
    maxRegexBytes?: number;
    /**
     * Largest instant-query request, in bytes: the form-encoded POST body, or the path and query
     * string of a GET (default 8000, under Prometheus' and proxies' 8 KiB limits).
     */
    maxRequestBytes?: number;
    /** Concurrent batch queries for one request (default 4). */
    maxConcurrency?: number;
    /**
     * Answer requests for the same custom metric from one merged query per cache window (default
     * true): the rule's query for every object of the metric, grouped by namespace and object,
     * cached for `cache.ttl` and filtered per request.
     */
    coalesce?: boolean;
    /** Most series a merged answer may hold; past it that metric is queried per request for a while (default 20000). */
    coalesceMaxSeries?: number;
  };
  rules?: DiscoveryRuleConfig[];
  externalRules?: DiscoveryRuleConfig[];
  resourceRules?: ResourceRulesConfig;
}

/** The configuration with defaults applied and durations in milliseconds. */
export interface ResolvedConfig {
  url: string;
  method: 'POST' | 'GET';
  timeoutMs: number;
  maxResponseBytes: number;
  /** `discovery.maxResponseBytes`: the limit of series listings. */
  discoveryMaxResponseBytes: number;
  headers: Record<string, string>;
  auth: AuthConfig;
  tls: TlsConfig;
  discoveryIntervalMs: number;
  lookbackMs: number;
  maxAgeMs: number;
  onDemand: boolean;
  onDemandMinIntervalMs: number;
  onDemandWaitMs: number;
  cacheTtlMs: number;
  serveStaleMs: number;
  maxRegexBytes: number;
  maxRequestBytes: number;
  maxConcurrency: number;
  coalesce: boolean;
  coalesceMaxSeries: number;
  rules: DiscoveryRuleConfig[];
  externalRules: DiscoveryRuleConfig[];
  resourceRules?: ResourceRulesConfig;
  resourceWindowMs: number;
}

/**
 * Parses a Go-style duration (`500ms`, `30s`, `1m`, `1h30m`, `0`) into milliseconds: core's
 * `parseDuration`, kept here for existing importers.
 * @throws {ConfigError} (core) at `path`.
 */
export function parseDuration(text: string, path: string): number {
  return parseCoreDuration(text, path);
}

/**
 * resolveConfig checks what `configSchema` cannot say (URL, auth combinations, durations,
 * templates) and applies defaults. `raw` must already have passed the schema: the server checks
 * every backend config against its plugin's `configSchema` (ajv) before `create`.
 * @throws {ConfigError} with the path of the first bad field.
 */
export function resolveConfig(raw: unknown): ResolvedConfig {
  const c = raw as PrometheusBackendConfig;
  try {
    new URL(c.url);
  } catch {
    throw new ConfigError('url', `invalid URL ${JSON.stringify(c.url)}`);
  }
  const a = c.auth ?? {};
  const kinds = [a.bearerToken !== undefined, a.bearerTokenFile !== undefined, a.inClusterServiceAccount === true, a.basic !== undefined];
  if (kinds.filter(Boolean).length > 1) {
    throw new ConfigError('auth', 'set only one of bearerToken, bearerTokenFile, inClusterServiceAccount, basic');
  }
  if (a.basic && a.basic.password !== undefined && a.basic.passwordFile !== undefined) {
    throw new ConfigError('auth.basic', 'set only one of password, passwordFile');
  }
  const interval = parseDuration(c.discovery?.interval ?? '1m', 'discovery.interval');
  if (interval <= 0) throw new ConfigError('discovery.interval', 'must be greater than 0');
  const timeoutMs = parseDuration(c.timeout ?? '10s', 'timeout');
  if (timeoutMs <= 0) throw new ConfigError('timeout', 'must be greater than 0');
  const rr = c.resourceRules;
  return {
    url: c.url.replace(/\/+$/, ''),
    method: c.method ?? 'POST',
    timeoutMs,
    maxResponseBytes: c.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    discoveryMaxResponseBytes: c.discovery?.maxResponseBytes ?? DEFAULT_SERIES_MAX_RESPONSE_BYTES,
    headers: c.headers ?? {},
    auth: a,
    tls: c.tls ?? {},
    discoveryIntervalMs: interval,
    lookbackMs: c.discovery?.lookback ? parseDuration(c.discovery.lookback, 'discovery.lookback') : Math.max(interval, 60_000),
    maxAgeMs: parseDuration(c.discovery?.maxAge ?? '10m', 'discovery.maxAge'),
    onDemand: c.discovery?.onDemand ?? true,
    onDemandMinIntervalMs: parseDuration(c.discovery?.onDemandMinInterval ?? '10s', 'discovery.onDemandMinInterval'),
    onDemandWaitMs: parseDuration(c.discovery?.onDemandWait ?? '1s', 'discovery.onDemandWait'),
    cacheTtlMs: parseDuration(c.cache?.ttl ?? '5s', 'cache.ttl'),
    serveStaleMs: parseDuration(c.cache?.serveStale ?? '0s', 'cache.serveStale'),
    maxRegexBytes: c.query?.maxRegexBytes ?? 8192,
    maxRequestBytes: c.query?.maxRequestBytes ?? 8000,
    maxConcurrency: c.query?.maxConcurrency ?? 4,
    coalesce: c.query?.coalesce ?? true,
    coalesceMaxSeries: c.query?.coalesceMaxSeries ?? 20_000,
    rules: c.rules ?? [],
    externalRules: c.externalRules ?? [],
    ...(rr ? { resourceRules: rr } : {}),
    resourceWindowMs: rr?.window ? parseDuration(rr.window, 'resourceRules.window') : 60_000,
  };
}
