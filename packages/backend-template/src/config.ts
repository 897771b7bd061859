// The backend's config as users write it (`backends[].config`) and as the code uses it.
import { DEFAULT_MAX_RESPONSE_BYTES, parseGroupResource } from '@custom-metrics/core';
import type { GroupResource } from '@custom-metrics/core';
import { TemplateConfigError } from './errors.js';

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
  /** Per-request timeout in milliseconds. Default 5000. */
  timeoutMs?: number;
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
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly custom: readonly ResolvedCustomRule[];
  readonly external: readonly ResolvedExternalRule[];
}

const CLUSTER_SCOPED = new Set(['nodes', 'namespaces', 'persistentvolumes']);

/**
 * resolveConfig checks what the JSON schema cannot and applies defaults.
 * @throws {TemplateConfigError} naming the field.
 */
export function resolveConfig(config: TemplateBackendConfig): ResolvedConfig {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new TemplateConfigError('url', `${JSON.stringify(config.url)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TemplateConfigError('url', 'must be http:// or https://');
  const custom = (config.custom ?? []).map((r): ResolvedCustomRule => {
    const groupResource = parseGroupResource(r.resource ?? 'pods');
    const singular = groupResource.resource.replace(/s$/, '');
    return {
      metric: r.metric,
      groupResource,
      namespaced: !(groupResource.group === '' && CLUSTER_SCOPED.has(groupResource.resource)),
      series: r.series ?? r.metric,
      objectLabel: r.objectLabel ?? singular,
      namespaceLabel: r.namespaceLabel ?? 'namespace',
    };
  });
  const external = (config.external ?? []).map(
    (r): ResolvedExternalRule => ({ metric: r.metric, series: r.series ?? r.metric, ...(r.namespaceLabel ? { namespaceLabel: r.namespaceLabel } : {}) }),
  );
  if (custom.length === 0 && external.length === 0) throw new TemplateConfigError('custom', 'give at least one custom or external rule');
  return { url: url.toString().replace(/\/$/, ''), timeoutMs: config.timeoutMs ?? 5000, maxResponseBytes: config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, custom, external };
}
