import { defineBackendPlugin, NotFoundError } from '@custom-metrics/core';
import type { BackendPlugin, ExternalMetricInfo, ExternalMetricsProvider, ExternalMetricValue } from '@custom-metrics/core';

/** One external series: its value is the number in environment variable `env`, read per request. */
export interface EnvSeriesConfig {
  name: string;
  env: string;
  labels?: Record<string, string>;
}

/** Configuration of the env backend. */
export interface EnvBackendConfig {
  series: EnvSeriesConfig[];
}

/**
 * envBackend serves external metrics whose values are read from environment variables at request
 * time. Several series may share a metric name with different labels; the request's metric selector
 * picks among them. Unset or non-numeric variables are skipped; no matching series yields 404.
 */
export const envBackend: BackendPlugin<EnvBackendConfig> = defineBackendPlugin<EnvBackendConfig>({
  name: 'custom-metrics-backend-example',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['series'],
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
    },
  },
  create(ctx, config) {
    const names = [...new Set(config.series.map((s) => s.name))];
    const external: ExternalMetricsProvider = {
      listAllExternalMetrics: (): ExternalMetricInfo[] => names.map((metric) => ({ metric })),
      async getExternalMetric(req) {
        req.signal.throwIfAborted();
        const wanted = req.info.metric.toLowerCase();
        const out: ExternalMetricValue[] = [];
        for (const s of config.series) {
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
    return { external };
  },
});

export default envBackend;
