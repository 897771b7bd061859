// The providers: the one place that calls the client. They map requests to queries (query/build.ts),
// and answers back to the objects and series core's provider contract asks for.
import { metricNotFound, metricNotFoundFor, metricSelectorOf, objectReference } from '@custom-metrics/core';
import type {
  BackendContext,
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricInfo,
  ExternalMetricsProvider,
  ExternalMetricValue,
  GetExternalMetricRequest,
  GetMetricByNameRequest,
  GetMetricBySelectorRequest,
  KubeObject,
  MetricValue,
  Selector,
} from '@custom-metrics/core';
import type { Sample, TemplateClient } from './client.js';
import type { ResolvedConfig, ResolvedCustomRule } from './config.js';
import { buildCustomQuery, buildExternalQuery } from './query/build.js';

/** The group-resource external-metric 404s name, as the upstream adapters word them. */
const EXTERNAL = { group: '', resource: 'namespaces' } as const;

const sameResource = (r: ResolvedCustomRule, info: CustomMetricInfo) =>
  r.metric === info.metric && r.groupResource.group === info.groupResource.group && r.groupResource.resource === info.groupResource.resource;

/** TemplateCustomProvider serves the `custom` rules: values per object, objects from `ctx.kube`. */
export class TemplateCustomProvider implements CustomMetricsProvider {
  constructor(
    readonly ctx: BackendContext,
    readonly config: ResolvedConfig,
    readonly client: TemplateClient,
  ) {}

  listAllMetrics(): CustomMetricInfo[] {
    return this.config.custom.map((r) => ({ groupResource: r.groupResource, namespaced: r.namespaced, metric: r.metric }));
  }

  async getMetricByName({ namespace, name, info, metricSelector, signal }: GetMetricByNameRequest): Promise<MetricValue> {
    signal.throwIfAborted();
    const rule = this.#rule(info);
    const object = await this.ctx.kube.getObject(info.groupResource, namespace, name);
    const values = object ? await this.#values(rule, namespace, [object], metricSelector, signal) : [];
    if (values.length === 0) throw metricNotFoundFor(info.groupResource, info.metric, name);
    return values[0];
  }

  async getMetricBySelector({ namespace, selector, info, metricSelector, signal }: GetMetricBySelectorRequest): Promise<MetricValue[]> {
    signal.throwIfAborted();
    const rule = this.#rule(info);
    const objects = await this.ctx.kube.listObjects(info.groupResource, namespace, selector);
    return objects.length === 0 ? [] : this.#values(rule, namespace, objects, metricSelector, signal);
  }

  #rule(info: CustomMetricInfo): ResolvedCustomRule {
    const rule = this.config.custom.find((r) => sameResource(r, info));
    if (!rule) throw metricNotFound(info.groupResource, info.metric);
    return rule;
  }

  /** One value per object with data (its series summed), in `objects` order. */
  async #values(rule: ResolvedCustomRule, namespace: string, objects: readonly KubeObject[], metricSelector: Selector, signal: AbortSignal): Promise<MetricValue[]> {
    const query = buildCustomQuery({
      series: rule.series,
      objectLabel: rule.objectLabel,
      names: objects.map((o) => o.name),
      ...(rule.namespaced ? { namespaceLabel: rule.namespaceLabel, namespace } : {}),
      metricSelector,
    });
    const byName = new Map<string, { value: number; timestampMs: number }>();
    for (const s of await this.client.query(query, signal)) {
      const name = s.labels[rule.objectLabel];
      if (name === undefined) continue;
      const prev = byName.get(name);
      byName.set(name, { value: (prev?.value ?? 0) + s.value, timestampMs: Math.max(prev?.timestampMs ?? 0, s.timestampMs) });
    }
    // null when empty, and for `!=` (no LabelSelector form): the query still filters by it.
    const selector = metricSelectorOf(metricSelector);
    const out: MetricValue[] = [];
    for (const o of objects) {
      const v = byName.get(o.name);
      if (!v) continue;
      out.push({
        describedObject: objectReference(o.gvk, o.namespace, o.name),
        metric: { name: rule.metric, selector },
        timestamp: new Date(v.timestampMs),
        value: v.value,
      });
    }
    return out;
  }
}

/** TemplateExternalProvider serves the `external` rules: every matching series (names match case-insensitively). */
export class TemplateExternalProvider implements ExternalMetricsProvider {
  constructor(
    readonly config: ResolvedConfig,
    readonly client: TemplateClient,
  ) {}

  listAllExternalMetrics(): ExternalMetricInfo[] {
    return this.config.external.map((r) => ({ metric: r.metric }));
  }

  async getExternalMetric({ namespace, info, metricSelector, signal }: GetExternalMetricRequest): Promise<ExternalMetricValue[]> {
    signal.throwIfAborted();
    const wanted = info.metric.toLowerCase();
    const rule = this.config.external.find((r) => r.metric.toLowerCase() === wanted);
    if (!rule) throw metricNotFound(EXTERNAL, info.metric);
    const query = buildExternalQuery({ series: rule.series, metricSelector, ...(rule.namespaceLabel ? { namespaceLabel: rule.namespaceLabel, namespace } : {}) });
    const samples: Sample[] = await this.client.query(query, signal);
    if (samples.length === 0) throw metricNotFound(EXTERNAL, info.metric);
    return samples.map((s) => ({ metricName: info.metric, metricLabels: { ...s.labels }, timestamp: new Date(s.timestampMs), value: s.value }));
  }
}
