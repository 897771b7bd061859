import type { ExternalMetricInfo, ExternalMetricValue, ExternalMetricsProvider, GetExternalMetricRequest } from '@custom-metrics/core';
import type { PrometheusBackend } from './provider.js';

/**
 * PrometheusExternalProvider serves external.metrics.k8s.io from `externalRules`: one value per
 * series the rule's query returns, with the series' labels. The HPA's namespace is added to the
 * query unless the rule says `resources: {namespaced: false}`.
 */
export class PrometheusExternalProvider implements ExternalMetricsProvider {
  constructor(private readonly backend: PrometheusBackend) {}

  listAllExternalMetrics(): ExternalMetricInfo[] {
    return this.backend.registry.listExternal();
  }

  async getExternalMetric(req: GetExternalMetricRequest): Promise<ExternalMetricValue[]> {
    req.signal.throwIfAborted();
    const entry = await this.backend.externalEntry(req.info);
    const namer = this.backend.externalNamers[entry.rule];
    const namespaced = this.backend.config.externalRules[entry.rule].resources?.namespaced ?? true;
    const promql = namer.query.buildExternal(entry.series, namespaced ? req.namespace : '', req.metricSelector);
    const samples = await this.backend.query(promql, req.signal);
    return samples.map((s) => {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.labels)) if (k !== '__name__') labels[k] = v;
      return { metricName: req.info.metric, metricLabels: labels, timestamp: new Date(s.timestampMs), value: s.value };
    });
  }
}
