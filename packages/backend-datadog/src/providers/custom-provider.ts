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
import { noPointError, stalePointError } from '../refresh/points.js';
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
    const key = req.name.toLowerCase();
    let point = values.points.get(key);
    if (!point) {
      // An object that does not exist is a 404; the fallback and the "no point" 503 are for an existing object.
      if (!(await this.kube.getObject(gr, req.namespace, req.name))) throw metricNotFoundFor(gr, req.info.metric, req.name);
      point = this.fallback(rule, values.fetchedAt);
    }
    if (!point) {
      const what = `${req.info.metric} for ${groupResourceString(gr)} ${req.name}`;
      const stale = values.staleAges.get(key);
      if (stale !== undefined) throw stalePointError(what, stale, this.refresher.maxAgeMs, this.refresher.retryAfterSeconds());
      throw noPointError(what, rule.windowSeconds, this.refresher.retryAfterSeconds());
    }
    const gvk = await this.kube.kindFor(gr);
    return this.metricValue(rule, req.info, gvk, req.name, req.namespace, req.metricSelector, point);
  }

  async getMetricBySelector(req: GetMetricBySelectorRequest): Promise<MetricValue[]> {
    const gr = req.info.groupResource;
    const rule = this.rule(gr, req.info.metric);
    const values = await this.values(rule, req.info, req.namespace, req.metricSelector, req.signal);
    const objects = await this.kube.listObjects(gr, req.namespace, req.selector);
    const out: MetricValue[] = [];
    let staleAge: number | undefined;
    for (const o of objects) {
      const key = o.name.toLowerCase();
      const point = values.points.get(key) ?? this.fallback(rule, values.fetchedAt);
      if (point) out.push(this.metricValue(rule, req.info, o.gvk, o.name, o.namespace ?? '', req.metricSelector, point));
      const age = values.staleAges.get(key);
      if (age !== undefined) staleAge = staleAge === undefined ? age : Math.min(staleAge, age);
    }
    if (out.length === 0 && objects.length > 0) {
      // Objects but not one usable point: say why instead of an empty list the HPA cannot explain.
      const what = `${req.info.metric} for any of the ${objects.length} ${groupResourceString(gr)} selected`;
      if (staleAge !== undefined) throw stalePointError(what, staleAge, this.refresher.maxAgeMs, this.refresher.retryAfterSeconds());
      throw noPointError(what, rule.windowSeconds, this.refresher.retryAfterSeconds());
    }
    return out;
  }

  /** The rule's noDataValue as a point at the fetch time, when it has one. */
  private fallback(rule: ResolvedCustomRule, fetchedAt: number): SeriesPoint | undefined {
    return rule.noDataValue === undefined ? undefined : { value: rule.noDataValue, timestamp: new Date(fetchedAt) };
  }

  private rule(gr: GroupResource, metric: string): ResolvedCustomRule {
    const rule = this.rules.get(`${groupResourceString(gr)}/${metric}`);
    if (!rule) throw metricNotFound(gr, metric);
    return rule;
  }

  /**
   * values runs (or reads from cache) the rule's query and maps object name (lower-case) → the
   * point served (`lastPointOffset`, not older than maxAge), and names whose point is stale → age.
   */
  private async values(
    rule: ResolvedCustomRule,
    info: CustomMetricInfo,
    namespace: string,
    metricSelector: Selector,
    signal: AbortSignal,
  ): Promise<{ points: Map<string, SeriesPoint>; staleAges: Map<string, number>; fetchedAt: number }> {
    const scope = info.namespaced && rule.namespaceTag !== '' && namespace !== '' ? [scopeTerm(rule.namespaceTag, namespace)] : [];
    const query = buildQuery({
      shape: rule.shape,
      staticTerms: rule.staticTerms,
      requestTerms: [...scope, ...selectorTerms(metricSelector.requirements)],
      groupBy: [rule.objectTag],
    });
    const answer = await this.refresher.get(query, rule.windowSeconds, signal);
    const points = new Map<string, SeriesPoint>();
    const staleAges = new Map<string, number>();
    for (const s of answer.series) {
      const name = tagValue(s.tags, rule.objectTag);
      if (name === undefined) continue;
      const { fresh, staleAgeMs } = this.refresher.freshness({ ...answer, series: [s] }, rule.lastPointOffset);
      if (fresh.length > 0) points.set(name.toLowerCase(), fresh[0].point);
      else if (staleAgeMs !== undefined) staleAges.set(name.toLowerCase(), staleAgeMs);
    }
    return { points, staleAges, fetchedAt: answer.fetchedAt };
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
