// The backend's config as users write it (`backends[].config`) and as the code uses it.
import { ConfigError, DEFAULT_MAX_RESPONSE_BYTES, isClusterScoped, parseDuration, parseGroupResource } from '@custom-metrics/core';
import type { GroupResource } from '@custom-metrics/core';

/** One custom metric: series `series` on objects of `resource`, tied to an object by `objectLabel`. */
export interface CustomRuleConfig {
  /** The metric name clients ask for. */
  metric: string;
  /** `pods`, `deployments.apps`, `nodes`… (resource.group). Default `pods`. */
  resource?: string;
  /** The series name in the metrics API. Default: `metric`. */
  series?: string;
  /** The label naming the object. Default: the resource's singular, e.g. `pod`. */
  objectLabel?: string;
  /** The label naming the namespace (namespaced resources). Default `namespace`. */
  namespaceLabel?: string;
}

/** One external metric: series `series`, filtered by the request's metric selector. */
export interface ExternalRuleConfig {
  metric: string;
  /** The series name in the metrics API. Default: `metric`. */
  series?: string;
  /** When set, only series whose label of this name equals the request's namespace. */
  namespaceLabel?: string;
}

/** `backends[].config` of this backend. */
export interface TemplateBackendConfig {
  /** Base URL of the metrics API, `http://` or `https://`. */
  url: string;
  /** Per-request timeout, a Go-style duration (`5s`, `1m30s`, `500ms`). Default `5s`, at most `10m`. */
  timeout?: string;
  /** Largest answer read, in bytes. Default 32 MiB. */
  maxResponseBytes?: number;
  custom?: CustomRuleConfig[];
  external?: ExternalRuleConfig[];
}

/** A custom rule with its defaults applied. */
export interface ResolvedCustomRule {
  readonly metric: string;
  readonly groupResource: GroupResource;
  readonly namespaced: boolean;
  readonly series: string;
  readonly objectLabel: string;
  readonly namespaceLabel: string;
}

/** An external rule with its defaults applied. */
export interface ResolvedExternalRule {
  readonly metric: string;
  readonly series: string;
  readonly namespaceLabel?: string;
}

/** The config with every default applied. */
export interface ResolvedConfig {
  readonly url: string;
  /** `timeout` in milliseconds. */
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly custom: readonly ResolvedCustomRule[];
  readonly external: readonly ResolvedExternalRule[];
}

/** The largest `timeout`, in milliseconds. */
const MAX_TIMEOUT_MS = 600_000;

/**
 * resolveConfig checks what the JSON schema cannot and applies defaults.
 * @throws {ConfigError} naming the field (`url`, `timeout`, `custom`).
 */
export function resolveConfig(config: TemplateBackendConfig): ResolvedConfig {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new ConfigError('url', `${JSON.stringify(config.url)} is not a URL; write the metrics API's base URL, e.g. http://metrics-api.monitoring:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('url', `must be http:// or https://, not ${url.protocol}//`);
  const custom = (config.custom ?? []).map((r): ResolvedCustomRule => {
    const groupResource = parseGroupResource(r.resource ?? 'pods');
    const singular = groupResource.resource.replace(/s$/, '');
    return {
      metric: r.metric,
      groupResource,
      namespaced: !isClusterScoped(groupResource),
      series: r.series ?? r.metric,
      objectLabel: r.objectLabel ?? singular,
      namespaceLabel: r.namespaceLabel ?? 'namespace',
    };
  });
  const external = (config.external ?? []).map(
    (r): ResolvedExternalRule => ({ metric: r.metric, series: r.series ?? r.metric, ...(r.namespaceLabel ? { namespaceLabel: r.namespaceLabel } : {}) }),
  );
  if (custom.length === 0 && external.length === 0) throw new ConfigError('custom', 'give at least one custom or external rule');
  const timeoutMs = config.timeout === undefined ? 5000 : parseDuration(config.timeout, 'timeout');
  if (timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) throw new ConfigError('timeout', `must be between 1ms and 10m, not ${config.timeout}`);
  return { url: url.toString().replace(/\/$/, ''), timeoutMs, maxResponseBytes: config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, custom, external };
}
