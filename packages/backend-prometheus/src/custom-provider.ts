import { metricNotFoundFor, metricNotFoundForSelector, metricSelectorOf, objectReference } from '@custom-metrics/core';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  GetMetricByNameRequest,
  GetMetricBySelectorRequest,
  LabelSelector,
  MetricValue,
  ObjectReference,
} from '@custom-metrics/core';
import type { Sample } from './client.js';
import { batchNamesForRequest, queryRequestBytes, type MetricsQuery } from './naming/metrics-query.js';
import { MergedQueries } from './merged-queries.js';
import { mapLimit, type PrometheusBackend } from './provider.js';

/**
 * PrometheusCustomProvider serves custom.metrics.k8s.io from `rules`. A `*` query lists the
 * matching objects through KubeLookup and asks Prometheus for their names in batches whose regex
 * never exceeds `query.maxRegexBytes` and whose whole request (query and encoding) never exceeds
 * `query.maxRequestBytes`, merging the answers. With `query.coalesce` (default) and a template that
 * qualifies, both kinds of request are answered instead from one merged query per metric and cache
 * window ({@link MergedQueries}), filtered to the asked objects.
 */
export class PrometheusCustomProvider implements CustomMetricsProvider {
  readonly #merged: MergedQueries;

  constructor(private readonly backend: PrometheusBackend) {
    this.#merged = new MergedQueries(backend);
  }

  listAllMetrics(): CustomMetricInfo[] {
    return this.backend.registry.listCustom();
  }

  async getMetricByName(req: GetMetricByNameRequest): Promise<MetricValue> {
    req.signal.throwIfAborted();
    const entry = await this.backend.customEntry(req.info);
    const namer = this.backend.customNamers[entry.rule];
    const gr = req.info.groupResource;
    const label = namer.query.resourceLabel(gr) as string;
    const merged = await this.#merged.lookup(namer.query, { series: entry.series, resource: gr, namespaced: req.info.namespaced, metricSelector: req.metricSelector }, req.signal);
    const sample = merged !== undefined ? merged(req.info.namespaced ? req.namespace : '', req.name) : await this.#queryOne(req, namer.query, entry.series, label);
    if (sample === undefined) {
      throw req.metricSelector.isEmpty()
        ? metricNotFoundFor(gr, req.info.metric, req.name)
        : metricNotFoundForSelector(gr, req.info.metric, req.name, req.metricSelector);
    }
    const ref = await this.#reference(req.info, req.namespace, req.name);
    return valueOf(ref, req.info.metric, sample, metricSelectorOf(req.metricSelector));
  }

  /** The per-request query of one object: its sample, if Prometheus has one. */
  async #queryOne(req: GetMetricByNameRequest, query: MetricsQuery, series: string, label: string): Promise<Sample | undefined> {
    const promql = query.build({
      series,
      resource: req.info.groupResource,
      namespace: req.info.namespaced ? req.namespace : '',
      names: [req.name],
      metricSelector: req.metricSelector,
    });
    const samples = await this.backend.query(promql, req.signal);
    return samples.find((s) => s.labels[label] === req.name) ?? (samples.length === 1 && samples[0].labels[label] === undefined ? samples[0] : undefined);
  }

  async getMetricBySelector(req: GetMetricBySelectorRequest): Promise<MetricValue[]> {
    req.signal.throwIfAborted();
    const entry = await this.backend.customEntry(req.info);
    const namer = this.backend.customNamers[entry.rule];
    const gr = req.info.groupResource;
    const label = namer.query.resourceLabel(gr) as string;
    const namespace = req.info.namespaced ? req.namespace : '';
    const objects = await this.backend.context.kube.listObjects(gr, namespace, req.selector);
    if (objects.length === 0) return [];
    const kind = await this.backend.context.kube.kindFor(gr);
    const selector = metricSelectorOf(req.metricSelector);
    const merged = await this.#merged.lookup(namer.query, { series: entry.series, resource: gr, namespaced: req.info.namespaced, metricSelector: req.metricSelector }, req.signal);
    if (merged !== undefined) {
      const out: MetricValue[] = [];
      for (const o of objects) {
        const s = merged(namespace, o.name);
        if (s !== undefined) out.push(valueOf(objectReference(kind, o.namespace, o.name), req.info.metric, s, selector));
      }
      return out;
    }
    const names = [...new Set(objects.map((o) => o.name))];
    const cfg = this.backend.config;
    const build = (batch: readonly string[]) =>
      namer.query.build({ series: entry.series, resource: gr, namespace, names: batch, metricSelector: req.metricSelector });
    const batches = batchNamesForRequest(names, cfg, (batch) => queryRequestBytes(build(batch), cfg.method));
    if (batches.length > 1) this.backend.context.metrics.count('query_batches_split', batches.length);
    const results = await mapLimit(batches, cfg.maxConcurrency, (batch) => this.backend.query(build(batch), req.signal));
    const byName = new Map<string, Sample>();
    for (const samples of results) for (const s of samples) if (s.labels[label] !== undefined) byName.set(s.labels[label], s);
    const out: MetricValue[] = [];
    for (const o of objects) {
      const s = byName.get(o.name);
      if (s === undefined) continue;
      const ref = objectReference(kind, o.namespace, o.name);
      out.push(valueOf(ref, req.info.metric, s, selector));
    }
    return out;
  }

  async #reference(info: CustomMetricInfo, namespace: string, name: string): Promise<ObjectReference> {
    const kind = await this.backend.context.kube.kindFor(info.groupResource);
    return objectReference(kind, info.namespaced ? namespace : '', name);
  }
}

function valueOf(ref: ObjectReference, metric: string, s: Sample, selector: LabelSelector | null): MetricValue {
  return { describedObject: ref, metric: { name: metric, selector }, timestamp: new Date(s.timestampMs), value: s.value };
}
