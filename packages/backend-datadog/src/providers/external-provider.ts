/**
 * external.metrics.k8s.io from Datadog: a rule (or, when enabled, the Cluster Agent convention)
 * turns the metric name and the HPA's `metricSelector` into a query; values come from the
 * refresher's cache.
 */
import { BadRequestError, metricNotFound } from '@custom-metrics/core';
import type { Requirement } from '@custom-metrics/core';
import type { ExternalMetricInfo, ExternalMetricValue, ExternalMetricsProvider, GetExternalMetricRequest } from '@custom-metrics/core';
import type { ResolvedConfig, ResolvedExternalRule } from '../config.js';
import { buildQuery, selectorTerms } from '../query/build.js';
import type { QuerySpec } from '../query/build.js';
import { clusterAgentMetric, clusterAgentSpec } from '../query/cluster-agent.js';
import type { QueryRefresher } from '../refresh/refresher.js';
import { noPointError, stalePointError } from '../refresh/points.js';
import { tagsToLabels, tagValue } from './tags-to-labels.js';

/** The group-resource named in "metric not found" errors for external metrics (as prometheus-adapter). */
const EXTERNAL_GR = { group: '', resource: 'namespaces' } as const;

/** See the module comment. */
export class DatadogExternalProvider implements ExternalMetricsProvider {
  private readonly rules = new Map<string, ResolvedExternalRule>();
  /** Names answered through the convention recently, for discovery. */
  private readonly conventionNames = new Set<string>();

  constructor(
    private readonly config: Pick<ResolvedConfig, 'external' | 'convention'>,
    private readonly refresher: QueryRefresher,
  ) {
    for (const r of config.external) this.rules.set(r.name.toLowerCase(), r);
  }

  listAllExternalMetrics(): ExternalMetricInfo[] {
    const names = new Set([...this.config.external.map((r) => r.name.toLowerCase()), ...this.conventionNames]);
    return [...names].sort().map((metric) => ({ metric }));
  }

  async getExternalMetric(req: GetExternalMetricRequest): Promise<ExternalMetricValue[]> {
    const name = req.info.metric.toLowerCase();
    const rule = this.rules.get(name);
    let spec: QuerySpec;
    let windowSeconds: number;
    let reported: number | undefined;
    let offset: number;
    // Namespaced by default: rules unless `namespaced: false`, and the convention on kube_namespace.
    const namespaceTag = rule ? rule.namespaceTag : 'kube_namespace';
    if (namespaceTag !== '') checkNamespaceRequirements(req.metricSelector.requirements, namespaceTag, req.namespace, req.info.metric);
    if (rule) {
      spec = { shape: rule.shape, staticTerms: rule.staticTerms, requestTerms: selectorTerms(req.metricSelector.requirements), groupBy: rule.groupBy };
      windowSeconds = rule.windowSeconds;
      reported = rule.reportedWindowSeconds;
      offset = rule.lastPointOffset;
    } else {
      const conv = this.config.convention;
      const metric = conv ? clusterAgentMetric(name) : undefined;
      if (!conv || metric === undefined) throw metricNotFound(EXTERNAL_GR, req.info.metric);
      spec = clusterAgentSpec(metric, req.metricSelector.requirements, conv);
      windowSeconds = conv.windowSeconds;
      reported = conv.rollupSeconds > 0 ? conv.rollupSeconds : undefined;
      offset = conv.lastPointOffset;
    }
    const query = buildQuery(spec);
    const answer = await this.refresher.get(query, windowSeconds, req.signal);
    if (!rule) this.conventionNames.add(name);
    // Security: a series tagged with another namespace is never served to this HPA.
    const own = namespaceTag === '' ? answer.series : answer.series.filter((s) => ofNamespace(tagValue(s.tags, namespaceTag), req.namespace));
    const { fresh, staleAgeMs } = this.refresher.freshness({ ...answer, series: own }, offset);
    if (fresh.length === 0) {
      // No usable point: the rule's noDataValue, else an error that says why (never an empty list).
      if (rule?.noDataValue !== undefined) {
        return [
          {
            metricName: req.info.metric,
            metricLabels: null,
            timestamp: new Date(answer.fetchedAt),
            ...(reported !== undefined ? { windowSeconds: reported } : {}),
            value: rule.noDataValue,
          },
        ];
      }
      const what = `external metric ${req.info.metric}`;
      const source = rule ? 'rule' : 'convention';
      if (staleAgeMs !== undefined) throw stalePointError(what, staleAgeMs, this.refresher.maxAgeMs, this.refresher.retryAfterSeconds(), source);
      throw noPointError(what, windowSeconds, this.refresher.retryAfterSeconds(), source);
    }
    return fresh.map((s) => ({
      metricName: req.info.metric,
      metricLabels: s.tags.length > 0 ? tagsToLabels(s.tags) : null,
      timestamp: s.point.timestamp,
      ...(reported !== undefined ? { windowSeconds: reported } : {}),
      value: s.point.value,
    }));
  }
}

function ofNamespace(tag: string | undefined, namespace: string): boolean {
  return tag === undefined || tag === namespace;
}

/**
 * A namespaced external metric's `metricSelector` may name only the asking HPA's namespace on the
 * namespace tag (`kube_namespace=<own>` or `in (<own>)`): anything else would scope the Datadog
 * query to other namespaces' series. Throws BadRequestError (400) saying what to change.
 */
function checkNamespaceRequirements(reqs: readonly Requirement[], tag: string, namespace: string, metric: string): void {
  for (const r of reqs) {
    if (r.key !== tag) continue;
    const own = (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length > 0 && r.values.every((v) => v === namespace);
    if (!own) {
      throw new BadRequestError(
        `external metric ${metric} is namespaced: its metric selector may only select ${tag}=${namespace} (the HPA's namespace); remove the ${tag} requirement or set namespaced: false on the rule`,
      );
    }
  }
}
