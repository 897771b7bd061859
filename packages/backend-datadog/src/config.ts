/**
 * The backend's configuration (`backends[].config` for `type: datadog`) and its resolution into
 * checked, defaulted settings. The JSON Schema is in `config-schema.ts`.
 */
import type { Aggregator, QueryShape, Rollup, RollupMethod } from './query/build.js';
import { BY_PLACEHOLDER, TAGS_PLACEHOLDER, isValidMetricName } from './query/build.js';
import { isValidTagKey } from './query/tags.js';
import { ConfigError, parseGroupResource, readDuration } from '@custom-metrics/core';
import type { GroupResource } from '@custom-metrics/core';
import { DEFAULT_MAX_RESPONSE_BYTES } from '@custom-metrics/core';

/** Datadog sites the client knows by name (`site`), each served at `https://api.<site>`. */
export const DATADOG_SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'uk1.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
] as const;
/** One of {@link DATADOG_SITES}. */
export type DatadogSite = (typeof DATADOG_SITES)[number];

/** Where a key comes from: an environment variable or a file (e.g. a mounted Secret). */
export type SecretSource = { env: string } | { file: string };

/** Rollup as written in the config. */
export interface RollupConfig {
  method?: RollupMethod;
  seconds: number;
}

/** Fields shared by external and custom rules. Give exactly one of `metric` or `query`. */
export interface RuleQueryConfig {
  /** Datadog metric name, e.g. `nginx.net.request_per_s`. */
  metric?: string;
  /** Query template with `<<tags>>` (the tag filter) and, for custom rules, `<<by>>`. */
  query?: string;
  /** Space aggregator for `metric` (default from `defaults`). */
  aggregator?: Aggregator;
  rollup?: RollupConfig;
  /** Query window in seconds: the value is the last non-null point in [now-window, now]. */
  windowSeconds?: number;
  /** Fixed Datadog filter terms from the config (trusted), e.g. `env:prod`. */
  tags?: string[];
}

/** Exposes a Datadog query as an external metric. */
export interface ExternalRuleConfig extends RuleQueryConfig {
  /** Exposed name (matched case-insensitively; the HPA lower-cases it). */
  name: string;
  /** Tag keys to group by: one external item per group, labelled with the group's tags. */
  groupBy?: string[];
  /**
   * Namespaced by default (true): a series tagged with another namespace than the HPA's (tag
   * `namespaceTag`) is never served, and a `metricSelector` may name only the HPA's own namespace
   * on that tag. `false` opts out.
   */
  namespaced?: boolean;
  /** The tag holding the namespace (default `kube_namespace`). */
  namespaceTag?: string;
}

/** Exposes a Datadog query as a custom metric of Kubernetes objects. */
export interface CustomRuleConfig extends RuleQueryConfig {
  /** Exposed metric name (exact). */
  name: string;
  /** The described resource, `resource[.group]`, e.g. `pods` or `deployments.apps`. */
  resource: string;
  /** The Datadog tag whose value names the object, e.g. `pod_name` or `kube_deployment`. */
  objectTag: string;
  /** Tag naming the namespace for namespaced resources (default `kube_namespace`; `""` disables). */
  namespaceTag?: string;
}

/** The whole backend config. */
export interface DatadogBackendConfig {
  site?: DatadogSite;
  /** Overrides `site`: the API base URL, e.g. a proxy (`https://dd-proxy.internal`). */
  baseUrl?: string;
  /** Default `{env: DD_API_KEY}`. */
  apiKey?: SecretSource;
  /** Default `{env: DD_APP_KEY}`. Needs the `timeseries_query` scope. */
  appKey?: SecretSource;
  /** How often every active query is refreshed, a Go-style duration. Default `30s`. */
  refreshInterval?: string;
  /** @deprecated Use `refreshInterval`. Still accepted. */
  refreshIntervalSeconds?: number;
  /** How old a cached value may be before requests get a 503, a Go-style duration. Default `2m`. */
  maxAge?: string;
  /** @deprecated Use `maxAge`. Still accepted. */
  maxAgeSeconds?: number;
  /** A query not requested for this long is dropped from the refresh loop. Default `10m`. */
  active?: string;
  /** @deprecated Use `active`. Still accepted. */
  activeSeconds?: number;
  maxQueriesPerCall?: number;
  /** Deadline of each Datadog call, a Go-style duration. Default `10s`. */
  requestTimeout?: string;
  /** @deprecated Use `requestTimeout`. Still accepted. */
  requestTimeoutSeconds?: number;
  /** Largest answer read from Datadog, in bytes (default 32 MiB); past it the call fails (503). */
  maxResponseBytes?: number;
  retry?: { maxAttempts?: number; initialDelayMs?: number; maxDelayMs?: number };
  defaults?: { aggregator?: Aggregator; rollup?: RollupConfig; windowSeconds?: number };
  external?: ExternalRuleConfig[];
  custom?: CustomRuleConfig[];
  clusterAgentConvention?: { enabled?: boolean; aggregator?: Aggregator; rollupSeconds?: number; windowSeconds?: number };
  /**
   * External metrics named `datadogmetric@<namespace>:<name>` read their query from that
   * `DatadogMetric` object (datadoghq.com/v1alpha1), as the Datadog Cluster Agent does.
   */
  datadogMetrics?: {
    /** Default true. */
    enabled?: boolean;
    /**
     * Default false: an HPA may only reference a DatadogMetric in its own namespace. true lets it
     * reference one in any namespace, as the Cluster Agent does.
     */
    allowCrossNamespace?: boolean;
  };
}

/** A rule ready to build queries. */
export interface ResolvedRule {
  readonly name: string;
  readonly shape: QueryShape;
  readonly windowSeconds: number;
  readonly staticTerms: readonly string[];
  /** Window reported to the HPA (the rollup interval when there is one). */
  readonly reportedWindowSeconds?: number;
}

/** A resolved external rule. */
export interface ResolvedExternalRule extends ResolvedRule {
  readonly groupBy: readonly string[];
  /** The namespace tag that restricts the rule to the HPA's namespace, or `""` when not namespaced. */
  readonly namespaceTag: string;
}

/** A resolved custom rule. */
export interface ResolvedCustomRule extends ResolvedRule {
  readonly groupResource: GroupResource;
  readonly objectTag: string;
  readonly namespaceTag: string;
}

/** Settings after defaults. */
export interface ResolvedConfig {
  readonly site: DatadogSite;
  readonly baseUrl?: string;
  readonly apiKey: SecretSource;
  readonly appKey: SecretSource;
  readonly refreshMs: number;
  readonly maxAgeMs: number;
  readonly activeMs: number;
  readonly batchSize: number;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly retry: { readonly maxAttempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly external: readonly ResolvedExternalRule[];
  readonly custom: readonly ResolvedCustomRule[];
  readonly convention?: { readonly aggregator: Aggregator; readonly rollupSeconds: number; readonly windowSeconds: number };
  /** DatadogMetric references (`datadogMetrics`); `enabled: false` when switched off. */
  readonly datadogMetrics: { readonly enabled: boolean; readonly allowCrossNamespace: boolean; readonly windowSeconds: number };
}

/** Thrown for a config the schema accepts but that cannot work: core's path-carrying `ConfigError`. */
export const DatadogConfigError = ConfigError;
/** See {@link DatadogConfigError}. */
export type DatadogConfigError = ConfigError;

function resolveShape(path: string, r: RuleQueryConfig, d: Required<NonNullable<DatadogBackendConfig['defaults']>>, needsBy: boolean): QueryShape {
  if ((r.metric === undefined) === (r.query === undefined)) throw new ConfigError(path, 'give exactly one of metric or query');
  if (r.query !== undefined) {
    if (!r.query.includes(TAGS_PLACEHOLDER)) throw new ConfigError(`${path}.query`, `must contain ${TAGS_PLACEHOLDER}`);
    if (needsBy && !r.query.includes(BY_PLACEHOLDER)) throw new ConfigError(`${path}.query`, `must contain ${BY_PLACEHOLDER}`);
    return { kind: 'template', template: r.query };
  }
  const metric = r.metric as string;
  if (!isValidMetricName(metric)) throw new ConfigError(`${path}.metric`, `${JSON.stringify(metric)} is not a valid Datadog metric name`);
  const rollup: Rollup | undefined = r.rollup ?? d.rollup;
  return { kind: 'metric', metric, aggregator: r.aggregator ?? d.aggregator, ...(rollup ? { rollup } : {}) };
}

function checkKeys(path: string, keys: readonly string[]): void {
  keys.forEach((k, i) => {
    if (!isValidTagKey(k)) throw new ConfigError(`${path}[${i}]`, `${JSON.stringify(k)} is not a valid Datadog tag key`);
  });
}

function reportedWindow(shape: QueryShape): number | undefined {
  return shape.kind === 'metric' && shape.rollup ? shape.rollup.seconds : undefined;
}

/**
 * resolveConfig applies defaults and the checks the schema cannot express. Deprecated `*Seconds`
 * durations still work and are reported through `warn`.
 * @throws {ConfigError} (core) naming the field, e.g. `custom[1].objectTag`.
 */
export function resolveConfig(c: DatadogBackendConfig, warn?: (message: string) => void): ResolvedConfig {
  const section = c as unknown as Record<string, unknown>;
  const seconds = (field: string, alias: string, fallbackMs: number): number =>
    readDuration(section, field, { aliases: [{ field: alias, unit: 's' }], warn, minMs: 1 }) ?? fallbackMs;
  const d = {
    aggregator: c.defaults?.aggregator ?? 'avg',
    rollup: c.defaults?.rollup as RollupConfig,
    windowSeconds: c.defaults?.windowSeconds ?? 300,
  };
  const externalNames = new Set<string>();
  const external = (c.external ?? []).map((r, i): ResolvedExternalRule => {
    const path = `external[${i}]`;
    const lower = r.name.toLowerCase();
    if (lower.startsWith('datadogmetric@')) {
      throw new ConfigError(`${path}.name`, `${JSON.stringify(r.name)} starts with datadogmetric@, which names a DatadogMetric object (see datadogMetrics); choose another name`);
    }
    if (externalNames.has(lower)) throw new ConfigError(`${path}.name`, `duplicate external metric ${JSON.stringify(r.name)}`);
    externalNames.add(lower);
    const groupBy = r.groupBy ?? [];
    checkKeys(`${path}.groupBy`, groupBy);
    const shape = resolveShape(path, r, d, false);
    const namespaceTag = r.namespaced === false ? '' : (r.namespaceTag ?? 'kube_namespace');
    if (namespaceTag !== '' && !isValidTagKey(namespaceTag)) throw new DatadogConfigError(`${path}.namespaceTag`, `${JSON.stringify(namespaceTag)} is not a valid Datadog tag key`);
    return { name: r.name, shape, windowSeconds: r.windowSeconds ?? d.windowSeconds, staticTerms: r.tags ?? [], groupBy, namespaceTag, reportedWindowSeconds: reportedWindow(shape) };
  });
  const customKeys = new Set<string>();
  const custom = (c.custom ?? []).map((r, i): ResolvedCustomRule => {
    const path = `custom[${i}]`;
    const key = `${r.resource}/${r.name}`;
    if (customKeys.has(key)) throw new ConfigError(`${path}.name`, `duplicate custom metric ${JSON.stringify(r.name)} for ${r.resource}`);
    customKeys.add(key);
    if (!isValidTagKey(r.objectTag)) throw new ConfigError(`${path}.objectTag`, `${JSON.stringify(r.objectTag)} is not a valid Datadog tag key`);
    const namespaceTag = r.namespaceTag ?? 'kube_namespace';
    if (namespaceTag !== '' && !isValidTagKey(namespaceTag)) throw new ConfigError(`${path}.namespaceTag`, `${JSON.stringify(namespaceTag)} is not a valid Datadog tag key`);
    const shape = resolveShape(path, r, d, true);
    return {
      name: r.name,
      shape,
      windowSeconds: r.windowSeconds ?? d.windowSeconds,
      staticTerms: r.tags ?? [],
      groupResource: parseGroupResource(r.resource),
      objectTag: r.objectTag,
      namespaceTag,
      reportedWindowSeconds: reportedWindow(shape),
    };
  });
  const conv = c.clusterAgentConvention;
  return {
    site: c.site ?? 'datadoghq.com',
    ...(c.baseUrl !== undefined ? { baseUrl: c.baseUrl } : {}),
    apiKey: c.apiKey ?? { env: 'DD_API_KEY' },
    appKey: c.appKey ?? { env: 'DD_APP_KEY' },
    refreshMs: seconds('refreshInterval', 'refreshIntervalSeconds', 30_000),
    maxAgeMs: seconds('maxAge', 'maxAgeSeconds', 120_000),
    activeMs: seconds('active', 'activeSeconds', 600_000),
    batchSize: c.maxQueriesPerCall ?? 35,
    timeoutMs: seconds('requestTimeout', 'requestTimeoutSeconds', 10_000),
    maxResponseBytes: c.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    retry: {
      maxAttempts: c.retry?.maxAttempts ?? 4,
      initialDelayMs: c.retry?.initialDelayMs ?? 500,
      maxDelayMs: c.retry?.maxDelayMs ?? 30_000,
    },
    external,
    custom,
    datadogMetrics: { enabled: c.datadogMetrics?.enabled ?? true, allowCrossNamespace: c.datadogMetrics?.allowCrossNamespace ?? false, windowSeconds: d.windowSeconds },
    ...(conv?.enabled
      ? { convention: { aggregator: conv.aggregator ?? 'avg', rollupSeconds: conv.rollupSeconds ?? 30, windowSeconds: conv.windowSeconds ?? 300 } }
      : {}),
  };
}
