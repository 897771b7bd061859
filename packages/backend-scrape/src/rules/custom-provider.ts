import {
  groupResourceString,
  metricNotFound,
  metricNotFoundFor,
  metricNotFoundForSelector,
  metricSelectorOf,
  objectReference,
  type CustomMetricInfo,
  type CustomMetricsProvider,
  type GetMetricByNameRequest,
  type GetMetricBySelectorRequest,
  type KubeObject,
  type LabelSelector,
  type MetricValue,
  type Selector,
} from '@custom-metrics/core';
import type { CompiledRule } from '../config.js';
import type { SeriesStore } from '../window/series-store.js';
import { evaluateRule, reportedWindowSeconds } from './evaluate-rule.js';
import type { ObjectSource } from './object-source.js';

/** Dependencies of {@link ScrapeCustomProvider}. */
export interface ScrapeCustomProviderDeps {
  rules: readonly CompiledRule[];
  store: SeriesStore;
  objects: ObjectSource;
  now?: () => number;
}

interface Aggregate {
  value: number;
  timestampMs: number;
}

/**
 * ScrapeCustomProvider serves custom.metrics.k8s.io from scraped series. A rule's series belong
 * to the object named by its `objectLabel` (and `namespaceLabel` for namespaced resources); when
 * several series belong to one object (e.g. one per `path` and `code`), their values are summed.
 */
export class ScrapeCustomProvider implements CustomMetricsProvider {
  /** Answers from the scraped series in memory (core's `answersFromMemory`). */
  readonly answersFromMemory = true;
  readonly #rules: CompiledRule[];
  readonly #now: () => number;

  constructor(readonly deps: ScrapeCustomProviderDeps) {
    this.#rules = deps.rules.filter((r) => r.kind === 'custom');
    this.#now = deps.now ?? Date.now;
  }

  listAllMetrics(): CustomMetricInfo[] {
    return this.#rules.map((r) => ({ groupResource: r.groupResource, namespaced: r.namespaced, metric: r.metric }));
  }

  async getMetricBySelector(req: GetMetricBySelectorRequest): Promise<MetricValue[]> {
    req.signal.throwIfAborted();
    const rule = this.#rule(req.info);
    const selector = metricSelectorOf(req.metricSelector);
    const objects = await this.deps.objects.list(req.info.groupResource, req.namespace, req.selector);
    req.signal.throwIfAborted();
    const byObject = this.#aggregate(rule, req.namespace, req.metricSelector);
    const out: MetricValue[] = [];
    for (const o of objects) {
      const a = byObject.get(objectKey(rule, o.namespace ?? '', o.name));
      if (a && Number.isFinite(a.value)) out.push(toMetricValue(rule, o, a, selector));
    }
    return out;
  }

  async getMetricByName(req: GetMetricByNameRequest): Promise<MetricValue> {
    req.signal.throwIfAborted();
    const rule = this.#rule(req.info);
    const selector = metricSelectorOf(req.metricSelector);
    const obj = await this.deps.objects.get(req.info.groupResource, req.namespace, req.name);
    req.signal.throwIfAborted();
    const a = obj && this.#aggregate(rule, req.namespace, req.metricSelector).get(objectKey(rule, req.namespace, req.name));
    if (!obj || !a || !Number.isFinite(a.value)) {
      if (obj && !req.metricSelector.isEmpty()) throw metricNotFoundForSelector(req.info.groupResource, req.info.metric, req.name, req.metricSelector);
      throw metricNotFoundFor(req.info.groupResource, req.info.metric, req.name);
    }
    return toMetricValue(rule, obj, a, selector);
  }

  #rule(info: CustomMetricInfo): CompiledRule {
    const gr = groupResourceString(info.groupResource);
    const rule = this.#rules.find((r) => r.metric === info.metric && groupResourceString(r.groupResource) === gr);
    if (!rule) throw metricNotFound(info.groupResource, info.metric);
    return rule;
  }

  /** Values per object key in `namespace`, summed over the object's series. */
  #aggregate(rule: CompiledRule, namespace: string, metricSelector: Selector): Map<string, Aggregate> {
    const out = new Map<string, Aggregate>();
    const series = evaluateRule(this.deps.store, rule, this.#now(), (l) => {
      if (l[rule.objectLabel] === undefined) return false;
      if (rule.namespaced && namespace !== '' && l[rule.namespaceLabel] !== namespace) return false;
      return metricSelector.matches(l as Record<string, string>);
    });
    for (const s of series) {
      const key = objectKey(rule, s.labels[rule.namespaceLabel] ?? '', s.labels[rule.objectLabel]);
      const a = out.get(key);
      if (a) {
        a.value += s.value;
        a.timestampMs = Math.max(a.timestampMs, s.timestampMs);
      } else out.set(key, { value: s.value, timestampMs: s.timestampMs });
    }
    return out;
  }
}

function objectKey(rule: CompiledRule, namespace: string, name: string): string {
  return rule.namespaced ? `${namespace}/${name}` : name;
}

function toMetricValue(rule: CompiledRule, o: KubeObject, a: Aggregate, selector: LabelSelector | null): MetricValue {
  const window = reportedWindowSeconds(rule);
  return {
    describedObject: objectReference(o.gvk, rule.namespaced ? o.namespace : '', o.name),
    metric: { name: rule.metric, selector },
    timestamp: new Date(a.timestampMs),
    ...(window !== undefined ? { windowSeconds: window } : {}),
    value: a.value,
  };
}
