import { metricNotFound, metricNotFoundFor, metricSelectorOf, objectReference } from '@custom-metrics/core';
import type { CustomMetricInfo, CustomMetricsProvider, GetMetricByNameRequest, GetMetricBySelectorRequest } from '@custom-metrics/core';
import type { KubeLookup, KubeObject, MetricValue, Selector } from '@custom-metrics/core';

/** One sample of a pod metric, with the sample's own labels (what metricLabelSelector filters). */
export interface Sample { metric: string; namespace: string; pod: string; labels: Record<string, string>; value: number }

/** Serves pod metrics from samples in memory; a real provider would query its backend here. */
export class SamplesProvider implements CustomMetricsProvider {
  samples: Sample[] = [];
  constructor(private readonly kube: KubeLookup) {}

  listAllMetrics(): CustomMetricInfo[] {
    const names = new Set(this.samples.map((s) => s.metric));
    return [...names].map((metric) => ({ groupResource: { group: '', resource: 'pods' }, namespaced: true, metric }));
  }

  async getMetricBySelector(req: GetMetricBySelectorRequest): Promise<MetricValue[]> {
    req.signal.throwIfAborted();
    if (!this.listAllMetrics().some((m) => m.metric === req.info.metric && req.info.groupResource.resource === 'pods')) {
      throw metricNotFound(req.info.groupResource, req.info.metric);
    }
    const pods = await this.kube.listObjects(req.info.groupResource, req.namespace, req.selector);
    return pods.flatMap((pod) => this.valueOf(pod, req.info.metric, req.metricSelector) ?? []);
  }

  async getMetricByName(req: GetMetricByNameRequest): Promise<MetricValue> {
    req.signal.throwIfAborted();
    const pod = await this.kube.getObject(req.info.groupResource, req.namespace, req.name);
    const value = pod && this.valueOf(pod, req.info.metric, req.metricSelector);
    if (!value) throw metricNotFoundFor(req.info.groupResource, req.info.metric, req.name);
    return value;
  }

  private valueOf(pod: KubeObject, metric: string, metricSelector: Selector): MetricValue | undefined {
    const hits = this.samples.filter(
      (s) => s.metric === metric && s.namespace === pod.namespace && s.pod === pod.name && metricSelector.matches(s.labels),
    );
    if (hits.length === 0) return undefined;
    return {
      describedObject: objectReference(pod.gvk, pod.namespace, pod.name), // apiVersion "/v1", as upstream
      metric: { name: metric, selector: metricSelectorOf(metricSelector) }, // null for `!=`: no LabelSelector form
      timestamp: new Date(),
      value: hits.reduce((sum, s) => sum + s.value, 0), // several matching series: their sum
    };
  }
}
