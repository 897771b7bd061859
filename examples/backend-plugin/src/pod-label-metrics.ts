import { metricNotFound, metricNotFoundFor } from '@custom-metrics/core';
import type { CustomMetricInfo, CustomMetricsProvider, GroupResource, KubeLookup, KubeObject, MetricValue } from '@custom-metrics/core';

/** A custom metric on pods whose value is the number in one of the pod's labels. */
export interface PodLabelMetricConfig {
  /** The metric name, e.g. `worker_slots`. */
  metric: string;
  /** The pod label holding the value, e.g. `example.com/slots`. */
  label: string;
}

const PODS: GroupResource = { group: '', resource: 'pods' };
const NUMBER = /^-?\d+(\.\d+)?$/;

/** The numeric value of `label` on `pod`, or `undefined` when absent or not a decimal number. */
function labelValue(pod: KubeObject, label: string): number | undefined {
  const raw = pod.labels[label];
  return raw !== undefined && NUMBER.test(raw) ? Number(raw) : undefined;
}

/**
 * podLabelMetricsProvider serves each configured metric on pods from the pods' labels, looked up
 * through the backend's {@link KubeLookup}. Pods without the label (or with a non-numeric value)
 * have no value. The metrics have no series labels of their own, so a metric selector matches
 * only when it accepts an empty label set.
 */
export function podLabelMetricsProvider(kube: KubeLookup, metrics: readonly PodLabelMetricConfig[]): CustomMetricsProvider {
  const byName = new Map(metrics.map((m) => [m.metric.toLowerCase(), m]));
  const find = (info: CustomMetricInfo): PodLabelMetricConfig | undefined =>
    info.groupResource.group === '' && info.groupResource.resource === 'pods' ? byName.get(info.metric.toLowerCase()) : undefined;
  const value = (pod: KubeObject, info: CustomMetricInfo, v: number): MetricValue => ({
    describedObject: { kind: 'Pod', namespace: pod.namespace, name: pod.name, apiVersion: '/v1' },
    metric: { name: info.metric, selector: null },
    timestamp: new Date(),
    value: v,
  });
  return {
    listAllMetrics: () => metrics.map((m) => ({ groupResource: PODS, namespaced: true, metric: m.metric })),
    async getMetricByName({ namespace, name, info, metricSelector, signal }) {
      signal.throwIfAborted();
      const m = find(info);
      if (!m) throw metricNotFound(info.groupResource, info.metric);
      const pod = await kube.getObject(PODS, namespace, name);
      const v = pod && metricSelector.matches({}) ? labelValue(pod, m.label) : undefined;
      if (!pod || v === undefined) throw metricNotFoundFor(info.groupResource, info.metric, name);
      return value(pod, info, v);
    },
    async getMetricBySelector({ namespace, selector, info, metricSelector, signal }) {
      signal.throwIfAborted();
      const m = find(info);
      if (!m) throw metricNotFound(info.groupResource, info.metric);
      if (!metricSelector.matches({})) return [];
      const out: MetricValue[] = [];
      for (const pod of await kube.listObjects(PODS, namespace, selector)) {
        const v = labelValue(pod, m.label);
        if (v !== undefined) out.push(value(pod, info, v));
      }
      return out;
    },
  };
}
