/**
 * external.metrics.k8s.io from Datadog: a rule (or, when enabled, the Cluster Agent convention)
 * turns the metric name and the HPA's `metricSelector` into a query, and a name
 * `datadogmetric@<namespace>:<name>` takes the query of that DatadogMetric object; values come from
 * the refresher's cache.
 */
import { BadRequestError, ForbiddenError, InternalError, Selector, isMetricsError, metricNotFound } from '@custom-metrics/core';
import type { KubeLookup, Logger, Requirement } from '@custom-metrics/core';
import type { ExternalMetricInfo, ExternalMetricValue, ExternalMetricsProvider, GetExternalMetricRequest } from '@custom-metrics/core';
import type { ResolvedConfig, ResolvedExternalRule } from '../config.js';
import { buildQuery, selectorTerms } from '../query/build.js';
import type { QuerySpec } from '../query/build.js';
import { clusterAgentMetric, clusterAgentSpec } from '../query/cluster-agent.js';
import { isReference, listReferences, lookupDatadogMetric, parseReference, readSpec } from '../datadogmetric/reference.js';
import type { QueryRefresher } from '../refresh/refresher.js';
import { tagsToLabels, tagValue } from './tags-to-labels.js';

/** The group-resource named in "metric not found" errors for external metrics (as prometheus-adapter). */
const EXTERNAL_GR = { group: '', resource: 'namespaces' } as const;

/** How often, at most, the list of DatadogMetric objects is re-read for discovery. */
const REFERENCE_LIST_MS = 2_000;
/**
 * After the CRD was not served or the list failed (e.g. RBAC): each attempt may cost a discovery
 * refresh or an informer start and a log line, so they are spaced out.
 */
const REFERENCE_RETRY_MS = 60_000;

/** See the module comment. */
export class DatadogExternalProvider implements ExternalMetricsProvider {
  private readonly rules = new Map<string, ResolvedExternalRule>();
  /** Names answered through the convention recently, for discovery. */
  private readonly conventionNames = new Set<string>();
  /** `datadogmetric@<ns>:<name>` of every DatadogMetric object, as last listed. */
  private references: readonly string[] = [];
  /** When the list may be read again. */
  private referencesDue = -Infinity;
  private referencesLoading?: Promise<void>;

  constructor(
    private readonly config: Pick<ResolvedConfig, 'external' | 'convention' | 'datadogMetrics'>,
    private readonly refresher: QueryRefresher,
    private readonly kube?: KubeLookup,
    private readonly logger?: Logger,
  ) {
    for (const r of config.external) this.rules.set(r.name.toLowerCase(), r);
  }

  listAllExternalMetrics(): ExternalMetricInfo[] {
    if (Date.now() >= this.referencesDue) void this.refreshReferences();
    const names = new Set([...this.config.external.map((r) => r.name.toLowerCase()), ...this.conventionNames, ...this.references]);
    return [...names].sort().map((metric) => ({ metric }));
  }

  /**
   * refreshReferences re-reads the DatadogMetric objects (from the server's informer cache) so
   * that discovery lists them; never throws.
   */
  refreshReferences(): Promise<void> {
    if (!this.config.datadogMetrics.enabled || !this.kube) return Promise.resolve();
    if (this.referencesLoading) return this.referencesLoading;
    const kube = this.kube;
    this.referencesDue = Date.now() + REFERENCE_LIST_MS;
    this.referencesLoading = listReferences(kube, Selector.everything())
      .then((names) => {
        this.references = names ?? [];
        if (names === undefined) this.referencesDue = Date.now() + REFERENCE_RETRY_MS;
      })
      .catch((e: unknown) => {
        this.referencesDue = Date.now() + REFERENCE_RETRY_MS;
        this.logger?.warn({ err: (e as Error)?.message ?? String(e) }, 'datadog: listing DatadogMetric objects failed; retrying in 60s');
      })
      .finally(() => {
        this.referencesLoading = undefined;
      });
    return this.referencesLoading;
  }

  async getExternalMetric(req: GetExternalMetricRequest): Promise<ExternalMetricValue[]> {
    const name = req.info.metric.toLowerCase();
    if (this.config.datadogMetrics.enabled && isReference(name)) return this.getReferenced(req);
    const rule = this.rules.get(name);
    let spec: QuerySpec;
    let windowSeconds: number;
    let reported: number | undefined;
    // Namespaced by default: rules unless `namespaced: false`, and the convention on kube_namespace.
    const namespaceTag = rule ? rule.namespaceTag : 'kube_namespace';
    if (namespaceTag !== '') checkNamespaceRequirements(req.metricSelector.requirements, namespaceTag, req.namespace, req.info.metric);
    if (rule) {
      spec = { shape: rule.shape, staticTerms: rule.staticTerms, requestTerms: selectorTerms(req.metricSelector.requirements), groupBy: rule.groupBy };
      windowSeconds = rule.windowSeconds;
      reported = rule.reportedWindowSeconds;
    } else {
      const conv = this.config.convention;
      const metric = conv ? clusterAgentMetric(name) : undefined;
      if (!conv || metric === undefined) throw metricNotFound(EXTERNAL_GR, req.info.metric);
      spec = clusterAgentSpec(metric, req.metricSelector.requirements, conv);
      windowSeconds = conv.windowSeconds;
      reported = conv.rollupSeconds > 0 ? conv.rollupSeconds : undefined;
    }
    const query = buildQuery(spec);
    const answer = await this.refresher.get(query, windowSeconds, req.signal);
    if (!rule) this.conventionNames.add(name);
    // Security: a series tagged with another namespace is never served to this HPA.
    const own = namespaceTag === '' ? answer.series : answer.series.filter((s) => ofNamespace(tagValue(s.tags, namespaceTag), req.namespace));
    return own.map((s) => ({
      metricName: req.info.metric,
      metricLabels: s.tags.length > 0 ? tagsToLabels(s.tags) : null,
      timestamp: s.point.timestamp,
      ...(reported !== undefined ? { windowSeconds: reported } : {}),
      value: s.point.value,
    }));
  }

  /**
   * A `datadogmetric@<namespace>:<name>` metric: the query, maxAge and window of that DatadogMetric
   * object, fetched through the refresher like any rule's query. The HPA's metricSelector is not
   * used (as by the Cluster Agent): the object's query is the whole query.
   */
  private async getReferenced(req: GetExternalMetricRequest): Promise<ExternalMetricValue[]> {
    const ref = parseReference(req.info.metric);
    if (!this.config.datadogMetrics.allowCrossNamespace && ref.namespace !== req.namespace) {
      throw new ForbiddenError(
        `external metric ${req.info.metric} names a DatadogMetric in namespace ${ref.namespace}, but it was requested for namespace ${req.namespace}; ` +
          `reference a DatadogMetric in ${req.namespace}, or set datadogMetrics.allowCrossNamespace: true in the backend config`,
      );
    }
    if (!this.kube) throw metricNotFound(EXTERNAL_GR, req.info.metric);
    const obj = await lookupDatadogMetric(this.kube, ref);
    const spec = readSpec(ref, obj, this.config.datadogMetrics.windowSeconds);
    let answer;
    try {
      answer = await this.refresher.get(spec.query, spec.windowSeconds, req.signal, spec.maxAgeMs);
    } catch (e) {
      if (isMetricsError(e) && e.code === 500) {
        throw new InternalError(`Datadog rejected spec.query of DatadogMetric ${ref.namespace}/${ref.name}; fix the query (the server log has Datadog's answer)`, { cause: e });
      }
      throw e;
    }
    const metricName = req.info.metric.toLowerCase();
    if (!this.references.includes(metricName)) this.references = [...this.references, metricName];
    return answer.series.map((s) => ({
      metricName,
      metricLabels: s.tags.length > 0 ? tagsToLabels(s.tags) : null,
      timestamp: s.point.timestamp,
      windowSeconds: spec.windowSeconds,
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
