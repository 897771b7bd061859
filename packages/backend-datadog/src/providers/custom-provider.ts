/**
 * custom.metrics.k8s.io from Datadog. One query per (rule, namespace, metric selector) grouped by
 * the rule's object tag answers every object at once, so a list request and single-object requests
 * share one cached query however many pods there are. Objects come from `BackendContext.kube`.
 */
import { metricNotFound, metricNotFoundFor } from '@custom-metrics/core';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  GetMetricByNameRequest,
  GetMetricBySelectorRequest,
  GroupResource,
  GroupVersionKind,
  KubeLookup,
  MetricValue,
  Selector,
} from '@custom-metrics/core';
import { groupResourceString, metricSelectorOf, objectReference } from '@custom-metrics/core';
import type { ResolvedConfig, ResolvedCustomRule } from '../config.js';
import { buildQuery, scopeTerm, selectorTerms } from '../query/build.js';
import type { SeriesPoint } from '../client/datadog-client.js';
import type { QueryRefresher } from '../refresh/refresher.js';
import { tagValue } from './tags-to-labels.js';

/** See the module comment. */
export class DatadogCustomProvider implements CustomMetricsProvider {
  private readonly rules = new Map<string, ResolvedCustomRule>();

  constructor(
    private readonly config: Pick<ResolvedConfig, 'custom'>,
    private readonly kube: KubeLookup,
    private readonly refresher: QueryRefresher,
  ) {
    for (const r of config.custom) this.rules.set(`${groupResourceString(r.groupResource)}/${r.name}`, r);
  }

  listAllMetrics(): CustomMetricInfo[] {
    return this.config.custom.map((r) => ({
      groupResource: r.groupResource,
      // Only the resource decides scope; the well-known cluster-scoped ones are listed here.
      namespaced: !(r.groupResource.group === '' && ['namespaces', 'nodes', 'persistentvolumes'].includes(r.groupResource.resource)),
      metric: r.name,
    }));
  }

  async getMetricByName(req: GetMetricByNameRequest): Promise<MetricValue> {
    const gr = req.info.groupResource;
    const rule = this.rule(gr, req.info.metric);
    const values = await this.values(rule, req.info, req.namespace, req.metricSelector, req.signal);
    const point = values.get(req.name.toLowerCase());
    if (!point) throw metricNotFoundFor(gr, req.info.metric, req.name);
    const gvk = await this.kube.kindFor(gr);
    return this.metricValue(rule, req.info, gvk, req.name, req.namespace, req.metricSelector, point);
  }

  async getMetricBySelector(req: GetMetricBySelectorRequest): Promise<MetricValue[]> {
    const gr = req.info.groupResource;
    const rule = this.rule(gr, req.info.metric);
    const values = await this.values(rule, req.info, req.namespace, req.metricSelector, req.signal);
    const objects = await this.kube.listObjects(gr, req.namespace, req.selector);
    const out: MetricValue[] = [];
    for (const o of objects) {
      const point = values.get(o.name.toLowerCase());
      if (point) out.push(this.metricValue(rule, req.info, o.gvk, o.name, o.namespace ?? '', req.metricSelector, point));
    }
    return out;
  }

  private rule(gr: GroupResource, metric: string): ResolvedCustomRule {
    const rule = this.rules.get(`${groupResourceString(gr)}/${metric}`);
    if (!rule) throw metricNotFound(gr, metric);
    return rule;
  }

  /** values runs (or reads from cache) the rule's query and maps object name (lower-case) → point. */
  private async values(rule: ResolvedCustomRule, info: CustomMetricInfo, namespace: string, metricSelector: Selector, signal: AbortSignal): Promise<Map<string, SeriesPoint>> {
    const scope = info.namespaced && rule.namespaceTag !== '' && namespace !== '' ? [scopeTerm(rule.namespaceTag, namespace)] : [];
    const query = buildQuery({
      shape: rule.shape,
      staticTerms: rule.staticTerms,
      requestTerms: [...scope, ...selectorTerms(metricSelector.requirements)],
      groupBy: [rule.objectTag],
    });
    const answer = await this.refresher.get(query, rule.windowSeconds, signal);
    const map = new Map<string, SeriesPoint>();
    for (const s of answer.series) {
      const name = tagValue(s.tags, rule.objectTag);
      if (name !== undefined) map.set(name.toLowerCase(), s.point);
    }
    return map;
  }

  private metricValue(
    rule: ResolvedCustomRule,
    info: CustomMetricInfo,
    gvk: GroupVersionKind,
    name: string,
    namespace: string,
    metricSelector: Selector,
    point: SeriesPoint,
  ): MetricValue {
    return {
      describedObject: objectReference(gvk, info.namespaced ? namespace : '', name),
      metric: { name: info.metric, selector: metricSelectorOf(metricSelector) },
      timestamp: point.timestamp,
      ...(rule.reportedWindowSeconds !== undefined ? { windowSeconds: rule.reportedWindowSeconds } : {}),
      value: point.value,
    };
  }
}
