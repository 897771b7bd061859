import { defineBackendPlugin, NotFoundError } from '@custom-metrics/core';
import type { BackendInstance, BackendPlugin, ExternalMetricInfo, ExternalMetricsProvider, ExternalMetricValue } from '@custom-metrics/core';
import { podLabelMetricsProvider } from './pod-label-metrics.js';
import type { PodLabelMetricConfig } from './pod-label-metrics.js';

export { podLabelMetricsProvider };
export type { PodLabelMetricConfig };

/** One external series: its value is the number in environment variable `env`, read per request. */
export interface EnvSeriesConfig {
  name: string;
  env: string;
  labels?: Record<string, string>;
}

/** Configuration of the env backend (at least one of the two lists). */
export interface EnvBackendConfig {
  /** External metrics read from environment variables. */
  series?: EnvSeriesConfig[];
  /** Custom metrics on pods read from the pods' labels. */
  podLabelMetrics?: PodLabelMetricConfig[];
}

/**
 * envBackend serves external metrics whose values are read from environment variables at request
 * time. Several series may share a metric name with different labels; the request's metric selector
 * picks among them. Unset or non-numeric variables are skipped; no matching series yields 404.
 * It also serves custom metrics on pods whose values are numeric pod labels (`podLabelMetrics`),
 * found through the server's cluster view (`ctx.kube`).
 */
export const envBackend: BackendPlugin<EnvBackendConfig> = defineBackendPlugin<EnvBackendConfig>({
  name: 'custom-metrics-backend-example',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    anyOf: [{ required: ['series'] }, { required: ['podLabelMetrics'] }],
    properties: {
      series: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'env'],
          properties: {
            name: { type: 'string', minLength: 1 },
            env: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
      podLabelMetrics: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['metric', 'label'],
          properties: {
            metric: { type: 'string', minLength: 1 },
            label: { type: 'string', minLength: 1 },
          },
        },
      },
    },
  },
  create(ctx, config) {
    const series = config.series ?? [];
    const names = [...new Set(series.map((s) => s.name))];
    const external: ExternalMetricsProvider = {
      listAllExternalMetrics: (): ExternalMetricInfo[] => names.map((metric) => ({ metric })),
      async getExternalMetric(req) {
        req.signal.throwIfAborted();
        const wanted = req.info.metric.toLowerCase();
        const out: ExternalMetricValue[] = [];
        for (const s of series) {
          const labels = s.labels ?? {};
          if (s.name.toLowerCase() !== wanted || !req.metricSelector.matches(labels)) continue;
          const raw = process.env[s.env];
          const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
          if (!Number.isFinite(value)) {
            ctx.logger.debug({ metric: s.name, env: s.env }, 'environment variable unset or not a number');
            continue;
          }
          out.push({ metricName: req.info.metric, metricLabels: { ...labels }, timestamp: new Date(), value });
        }
        if (out.length === 0) {
          throw new NotFoundError(`the server could not find the metric ${req.info.metric} for the given selector`);
        }
        return out;
      },
    };
    const instance: BackendInstance = {};
    if (series.length > 0) instance.external = external;
    if (config.podLabelMetrics?.length) instance.custom = podLabelMetricsProvider(ctx.kube, config.podLabelMetrics);
    return instance;
  },
});

export default envBackend;
