import { ConfigError, isClusterScoped, parseDuration as parseCoreDuration, parseGroupResource, parseSelector, type GroupResource, type Selector } from '@custom-metrics/core';
import { WINDOW_FUNCTIONS, type WindowFunction } from './window/functions.js';

/** A duration: a Go-style string such as `500ms`, `5s`, `1m`, `1h30m`; a number of seconds is deprecated but still accepted. */
export type Duration = number | string;

/** One statically configured scrape target. */
export interface StaticTargetConfig {
  /** The http(s) URL of the metrics endpoint. */
  url: string;
  /** Pod name attached to the target's series as label `pod` (and listed as a pod in `objects: targets` mode). */
  pod?: string;
  /** Namespace attached as label `namespace` (default `default` when `pod` is given). */
  namespace?: string;
  /** Extra labels attached to the target's series; also the pod's labels in `objects: targets` mode. */
  labels?: Record<string, string>;
  interval?: Duration;
  timeout?: Duration;
}

/** Kubernetes pod discovery by `prometheus.io/*` annotations. */
export interface KubernetesDiscoveryConfig {
  /** Default true when the section is present. */
  enabled?: boolean;
  /** How often the pod list is re-read. Default: the global `interval`. */
  refreshInterval?: Duration;
  /** Restrict discovery to one namespace; default all. */
  namespace?: string;
}

/** One rule: a series + a window function, served as a custom or external metric. */
export interface RuleConfig {
  /** The metric name served by the API (e.g. `http_requests_per_second`). */
  metric: string;
  /** The scraped series name (e.g. `http_requests_total`). */
  series: string;
  function: WindowFunction;
  /** Window of the function. Default `1m`. */
  window?: Duration;
  /** Label selector (Kubernetes syntax) on the series' labels, e.g. `code=200,path!=/health`. */
  match?: string;
  /** `custom` (default) or `external`. */
  kind?: 'custom' | 'external';
  /** Custom metrics: the described resource, `resource[.group]`. Default `pods`. */
  resource?: string;
  /** Custom metrics: the series label naming the object. Default `pod` for pods, else the resource's singular is required. */
  objectLabel?: string;
  /**
   * Custom metrics: whether the resource is namespaced. Default true except nodes, namespaces,
   * persistentvolumes. External metrics: whether a series carrying the namespace label is served
   * only to HPAs in that namespace. Default true; `false` opts out (any namespace reads it).
   */
  namespaced?: boolean;
  /** The series label holding the namespace. Default `namespace`. */
  namespaceLabel?: string;
  /** External metrics: also drop series without the namespace label (only the request's namespace). Default false. */
  namespacedExternal?: boolean;
}

/** The scrape backend's config (`backends[].config`). */
export interface ScrapeBackendConfig {
  targets?: StaticTargetConfig[];
  kubernetes?: KubernetesDiscoveryConfig;
  /** Where custom-metric objects come from: `kube` (KubeLookup, default) or `targets` (the static targets' pods). */
  objects?: 'kube' | 'targets';
  /** Default scrape interval. Default `5s`. */
  interval?: Duration;
  /** Default scrape timeout. Default `3s` (capped at the interval). */
  timeout?: Duration;
  /** Largest response body read, in bytes. Default 10 MiB. */
  maxResponseBytes?: number;
  /** Most scrapes in flight at once. Default 8. */
  maxConcurrentScrapes?: number;
  /** Most series held in memory. Default 100 000. */
  maxSeries?: number;
  /** Most samples accepted from one scrape. Default 100 000. */
  maxSamplesPerScrape?: number;
  /** Longest exposition line accepted. Default 65 536. */
  maxLineLength?: number;
  /** Accept any certificate from https targets (pods usually serve self-signed ones). Default false. */
  insecureSkipVerify?: boolean;
  rules: RuleConfig[];
}

/** A rule after validation and defaulting. */
export interface CompiledRule {
  readonly metric: string;
  readonly series: string;
  readonly fn: WindowFunction;
  readonly windowMs: number;
  readonly match: Selector;
  readonly kind: 'custom' | 'external';
  readonly groupResource: GroupResource;
  readonly objectLabel: string;
  readonly namespaced: boolean;
  readonly namespaceLabel: string;
  readonly namespacedExternal: boolean;
}

/** A static target after defaulting. */
export interface ResolvedTarget {
  /** Identity: the URL plus attached labels. */
  readonly key: string;
  readonly url: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** The whole config after validation and defaulting. */
export interface ResolvedConfig {
  readonly staticTargets: ResolvedTarget[];
  readonly kubernetes?: { refreshMs: number; namespace: string };
  readonly objects: 'kube' | 'targets';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxConcurrentScrapes: number;
  readonly maxSeries: number;
  readonly maxSamplesPerScrape: number;
  readonly maxLineLength: number;
  readonly insecureSkipVerify: boolean;
  readonly rules: CompiledRule[];
  /** Static targets' pods (`objects: targets`): namespace, name, labels. */
  readonly staticPods: Array<{ namespace: string; name: string; labels: Record<string, string> }>;
}

/** A config the schema accepts but that cannot work: core's path-carrying `ConfigError`. */
export const ScrapeConfigError = ConfigError;
/** See {@link ScrapeConfigError}. */
export type ScrapeConfigError = ConfigError;

/**
 * Parses a {@link Duration} into milliseconds: a Go-style string (`500ms`, `5s`, `1m30s`), or —
 * deprecated — a number of seconds, reported through `warn`. Must be positive.
 * @throws {ConfigError} (core) naming `path`.
 */
export function parseDuration(d: Duration, path: string, warn?: (message: string) => void): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d <= 0) throw new ConfigError(path, `expected a positive duration such as "5s", got ${d}`);
    warn?.(`${path}: a number of seconds is deprecated; write "${d}s" instead`);
    return Math.round(d * 1000);
  }
  const ms = parseCoreDuration(d, path);
  if (ms <= 0) throw new ConfigError(path, `expected a positive duration such as "5s" or "1m", got ${JSON.stringify(d)}`);
  return Math.round(ms);
}

function singular(resource: string): string {
  if (resource.endsWith('ies')) return `${resource.slice(0, -3)}y`;
  if (resource.endsWith('ses')) return resource.slice(0, -2);
  return resource.endsWith('s') ? resource.slice(0, -1) : resource;
}

/**
 * Validates semantics the JSON schema cannot express and fills defaults; deprecated numeric
 * durations are reported through `warn`.
 * @throws {ConfigError} (core) naming the field, e.g. `rules[2].window`.
 */
export function resolveConfig(config: ScrapeBackendConfig, warn?: (message: string) => void): ResolvedConfig {
  const intervalMs = parseDuration(config.interval ?? '5s', 'interval', warn);
  const timeoutMs = Math.min(parseDuration(config.timeout ?? '3s', 'timeout', warn), intervalMs);
  const staticPods: ResolvedConfig['staticPods'] = [];
  const staticTargets = (config.targets ?? []).map((t, i): ResolvedTarget => {
    const path = `targets[${i}]`;
    let url: URL;
    try {
      url = new URL(t.url);
    } catch {
      throw new ConfigError(`${path}.url`, `invalid URL ${JSON.stringify(t.url)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${path}.url`, 'only http and https are supported');
    const labels: Record<string, string> = { ...(t.labels ?? {}) };
    // A pod without a namespace lives in `default`, as in Kubernetes.
    const namespace = t.namespace ?? (t.pod !== undefined ? 'default' : undefined);
    if (namespace !== undefined) labels.namespace = namespace;
    if (t.pod !== undefined) {
      labels.pod = t.pod;
      staticPods.push({ namespace: namespace as string, name: t.pod, labels: { ...(t.labels ?? {}) } });
    }
    const iv = t.interval !== undefined ? parseDuration(t.interval, `${path}.interval`, warn) : intervalMs;
    const to = Math.min(t.timeout !== undefined ? parseDuration(t.timeout, `${path}.timeout`, warn) : timeoutMs, iv);
    return { key: `static:${url.href}:${JSON.stringify(labels)}`, url: url.href, labels, intervalMs: iv, timeoutMs: to };
  });
  const k = config.kubernetes;
  const kubernetes =
    k && k.enabled !== false
      ? { refreshMs: k.refreshInterval !== undefined ? parseDuration(k.refreshInterval, 'kubernetes.refreshInterval', warn) : intervalMs, namespace: k.namespace ?? '' }
      : undefined;
  const seen = new Set<string>();
  const rules = config.rules.map((r, i): CompiledRule => {
    const path = `rules[${i}]`;
    if (!(WINDOW_FUNCTIONS as readonly string[]).includes(r.function)) throw new ConfigError(`${path}.function`, `expected one of ${WINDOW_FUNCTIONS.join(', ')}`);
    let match: Selector;
    try {
      match = parseSelector(r.match ?? '');
    } catch (e) {
      throw new ConfigError(`${path}.match`, (e as Error).message);
    }
    const kind = r.kind ?? 'custom';
    const groupResource = parseGroupResource(r.resource ?? 'pods');
    const objectLabel = r.objectLabel ?? (groupResource.resource === 'pods' && groupResource.group === '' ? 'pod' : singular(groupResource.resource));
    // External rules are namespaced by default: an HPA never reads another namespace's series.
    const namespaced = r.namespaced ?? (kind === 'external' ? true : !isClusterScoped(groupResource));
    const id = kind === 'external' ? `external/${r.metric.toLowerCase()}` : `custom/${groupResource.group}/${groupResource.resource}/${r.metric}`;
    if (seen.has(id)) throw new ConfigError(`${path}.metric`, `metric ${r.metric} is defined twice`);
    seen.add(id);
    return {
      metric: r.metric,
      series: r.series,
      fn: r.function,
      windowMs: parseDuration(r.window ?? '1m', `${path}.window`, warn),
      match,
      kind,
      groupResource,
      objectLabel,
      namespaced,
      namespaceLabel: r.namespaceLabel ?? 'namespace',
      namespacedExternal: r.namespacedExternal ?? false,
    };
  });
  return {
    staticTargets,
    ...(kubernetes ? { kubernetes } : {}),
    objects: config.objects ?? 'kube',
    intervalMs,
    timeoutMs,
    maxResponseBytes: config.maxResponseBytes ?? 10 * 1024 * 1024,
    maxConcurrentScrapes: config.maxConcurrentScrapes ?? 8,
    maxSeries: config.maxSeries ?? 100_000,
    maxSamplesPerScrape: config.maxSamplesPerScrape ?? 100_000,
    maxLineLength: config.maxLineLength ?? 65_536,
    insecureSkipVerify: config.insecureSkipVerify ?? false,
    rules,
    staticPods,
  };
}
