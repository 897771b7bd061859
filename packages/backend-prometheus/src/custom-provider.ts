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
import { batchNamesForRequest, queryRequestBytes } from './naming/metrics-query.js';
import { mapLimit, type PrometheusBackend } from './provider.js';

/**
 * PrometheusCustomProvider serves custom.metrics.k8s.io from `rules`. A `*` query lists the
 * matching objects through KubeLookup and asks Prometheus for their names in batches whose regex
 * never exceeds `query.maxRegexBytes` and whose whole request (query and encoding) never exceeds
 * `query.maxRequestBytes`, merging the answers.
 */
export class PrometheusCustomProvider implements CustomMetricsProvider {
  constructor(private readonly backend: PrometheusBackend) {}

  listAllMetrics(): CustomMetricInfo[] {
    return this.backend.registry.listCustom();
  }

  async getMetricByName(req: GetMetricByNameRequest): Promise<MetricValue> {
    req.signal.throwIfAborted();
    const entry = await this.backend.customEntry(req.info);
    const namer = this.backend.customNamers[entry.rule];
    const gr = req.info.groupResource;
    const label = namer.query.resourceLabel(gr) as string;
    const promql = namer.query.build({
      series: entry.series,
      resource: gr,
      namespace: req.info.namespaced ? req.namespace : '',
      names: [req.name],
      metricSelector: req.metricSelector,
    });
    const samples = await this.backend.query(promql, req.signal);
    const sample = samples.find((s) => s.labels[label] === req.name) ?? (samples.length === 1 && samples[0].labels[label] === undefined ? samples[0] : undefined);
    if (sample === undefined) {
      throw req.metricSelector.isEmpty()
        ? metricNotFoundFor(gr, req.info.metric, req.name)
        : metricNotFoundForSelector(gr, req.info.metric, req.name, req.metricSelector);
    }
    const ref = await this.#reference(req.info, req.namespace, req.name);
    return valueOf(ref, req.info.metric, sample, metricSelectorOf(req.metricSelector));
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
    const names = [...new Set(objects.map((o) => o.name))];
    const cfg = this.backend.config;
    const build = (batch: readonly string[]) =>
      namer.query.build({ series: entry.series, resource: gr, namespace, names: batch, metricSelector: req.metricSelector });
    const batches = batchNamesForRequest(names, cfg, (batch) => queryRequestBytes(build(batch), cfg.method));
    if (batches.length > 1) this.backend.context.metrics.count('query_batches_split', batches.length);
    const results = await mapLimit(batches, cfg.maxConcurrency, (batch) => this.backend.query(build(batch), req.signal));
    const byName = new Map<string, Sample>();
    for (const samples of results) for (const s of samples) if (s.labels[label] !== undefined) byName.set(s.labels[label], s);
    const kind = await this.backend.context.kube.kindFor(gr);
    const selector = metricSelectorOf(req.metricSelector);
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
