// What the debug page shows, read from the running server's container: backends (type, health,
// calls, latency, last queries, cache), served metrics, the last values served and the redacted
// configuration.
import type { ServerContainer } from '../container.js';
import type { ServerConfig } from '../config/types.js';
import type { RecentLatency, RecentMetricValues, RecentQuery } from '../observability/recent.js';
import { redactConfig } from './redact.js';

/** One backend as the debug page shows it. */
export interface BackendSnapshot {
  name: string;
  type: string;
  healthy: boolean;
  /** The health check's failure message (the backend's last error), if any. */
  lastError?: string;
  calls: number;
  errors: number;
  /** Mean call latency (ms) over the process lifetime, per operation. */
  operations: Array<{ operation: string; calls: number; errors: number; meanMs: number }>;
  /** Recent latency per operation: the last call, p50 and p99 over the last 128 calls. */
  latency: RecentLatency[];
  /** The last 5 queries the backend sent to its system (PromQL, InfluxQL/Flux, Datadog), newest first. */
  queries: RecentQuery[];
  cache: Record<string, number>;
}

/** One served metric. */
export interface MetricSnapshot {
  api: 'custom' | 'external';
  /** `pods/http_requests` or `queue_depth`. */
  name: string;
  namespaced: boolean;
  backend: string;
}

/** backendsSnapshot reads every backend's health and self-metrics. */
export async function backendsSnapshot(sc: ServerContainer): Promise<BackendSnapshot[]> {
  const health = await sc.health.runInformational();
  const durations = (await sc.metrics.backendCallDuration.get()).values;
  const cache = (await sc.metrics.cacheResults.get()).values;
  return sc.registry.backends.map((b) => {
    const h = health.find((r) => r.name === `backend:${b.name}`);
    const ops = new Map<string, { calls: number; errors: number; sum: number }>();
    for (const v of durations) {
      if (v.labels.instance !== b.name) continue;
      const op = String(v.labels.operation);
      const o = ops.get(op) ?? { calls: 0, errors: 0, sum: 0 };
      if (v.metricName?.endsWith('_count')) {
        o.calls += v.value;
        if (v.labels.outcome === 'error') o.errors += v.value;
      } else if (v.metricName?.endsWith('_sum')) o.sum += v.value;
      ops.set(op, o);
    }
    const operations = [...ops].map(([operation, o]) => ({ operation, calls: o.calls, errors: o.errors, meanMs: o.calls ? Math.round((o.sum / o.calls) * 100_000) / 100 : 0 }));
    const cacheCounts: Record<string, number> = {};
    for (const v of cache) if (v.labels.instance === b.name) cacheCounts[String(v.labels.result)] = v.value;
    return {
      name: b.name,
      type: b.type,
      healthy: h ? h.ok : true,
      ...(h && !h.ok && h.message ? { lastError: h.message } : {}),
      calls: operations.reduce((a, o) => a + o.calls, 0),
      errors: operations.reduce((a, o) => a + o.errors, 0),
      operations,
      latency: sc.metrics.recent.latency(b.name),
      queries: sc.metrics.recent.queries(b.name),
      cache: cacheCounts,
    };
  });
}

/** metricsSnapshot lists every served metric with the backend that serves it. */
export function metricsSnapshot(sc: ServerContainer): MetricSnapshot[] {
  const out: MetricSnapshot[] = [];
  for (const info of sc.registry.customMetrics()) {
    const route = sc.registry.customFor(info.groupResource, info.metric);
    const gr = info.groupResource.group ? `${info.groupResource.resource}.${info.groupResource.group}` : info.groupResource.resource;
    out.push({ api: 'custom', name: `${gr}/${info.metric}`, namespaced: info.namespaced, backend: route?.backend.name ?? '(none)' });
  }
  for (const info of sc.registry.externalMetrics()) {
    out.push({ api: 'external', name: info.metric, namespaced: true, backend: sc.registry.externalFor(info.metric)?.backend.name ?? '(none)' });
  }
  return out;
}

/** valuesSnapshot is the last value served per metric and object (the last 50 objects per metric). */
export function valuesSnapshot(sc: ServerContainer): RecentMetricValues[] {
  return sc.metrics.recent.values();
}

/** configSnapshot is the server's effective configuration with every secret redacted. */
export function configSnapshot(config: ServerConfig, secrets?: ReadonlySet<string>): unknown {
  return redactConfig(config, secrets);
}
