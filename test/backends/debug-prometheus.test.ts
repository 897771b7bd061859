// The debug page's JSON endpoints over a real Prometheus: the last query the backend sent (its
// PromQL, which must give the values served when sent to Prometheus again), its latency, the
// per-call latency of the provider call and the last values served per object.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendPlugin, KubeObject } from '@custom-metrics/core';
import { prometheusBackend } from '@custom-metrics/backend-prometheus';
import { requireBinary, waitFor } from '../../test-support/index.js';
import { startTestServer, type TestServer } from '../../packages/server/test/support/harness.js';
import { startExporter, type TestExporter } from '../../packages/backend-prometheus/test/support/exporter.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';
import { validateConfig } from '../../packages/server/src/config/validate.js';
import { startDebugServer, type DebugServer } from '../../packages/server/src/debug/debug-server.js';
import type { BackendSnapshot } from '../../packages/server/src/debug/snapshot.js';
import type { RecentMetricValues } from '../../packages/server/src/observability/recent.js';

const prometheusBin = requireBinary('prometheus', 'apt-get install prometheus');

const pods: KubeObject[] = ['dbg-1', 'dbg-2'].map((name) => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name,
  namespace: 'dbg',
  labels: { app: 'dbg' },
  annotations: {},
}));

const CONFIG = {
  backends: [
    {
      name: 'prom',
      type: 'prometheus',
      config: {
        // Every request asks Prometheus (no cache), so each answer has its own query.
        cache: { ttl: '0s' },
        rules: [
          {
            seriesQuery: '{__name__="dbg_requests"}',
            resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
            metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
          },
        ],
        externalRules: [{ seriesQuery: '{__name__="dbg_queue"}', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)', resources: { namespaced: false } }],
      },
    },
  ],
};

describe.skipIf(!prometheusBin)('the debug endpoints over a real Prometheus', () => {
  let exporter: TestExporter;
  let prom: PrometheusProcess;
  let server: TestServer;
  let debug: DebugServer;

  beforeAll(async () => {
    exporter = await startExporter([
      { name: 'dbg_requests', labels: { namespace: 'dbg', pod: 'dbg-1' }, value: 1.5 },
      { name: 'dbg_requests', labels: { namespace: 'dbg', pod: 'dbg-2' }, value: 250 },
      { name: 'dbg_queue', labels: { queue: 'jobs' }, value: 7 },
    ]);
    prom = await startPrometheus(prometheusBin as string, exporter.port);
    await waitFor('the first scrape', async () => (await prom.query('count({__name__=~"dbg_.*"})'))[0]?.value === 3, 30_000, 250);
    const config = { ...CONFIG, backends: CONFIG.backends.map((b) => ({ ...b, config: { ...b.config, url: prom.url } })) };
    server = await startTestServer({ objects: pods, plugins: { '@custom-metrics/backend-prometheus': prometheusBackend as BackendPlugin }, config, now: () => new Date() });
    debug = await startDebugServer('127.0.0.1:0', server.sc, validateConfig(config));
  });

  afterAll(async () => {
    await debug?.close();
    await server?.close();
    await prom?.dispose();
    await exporter?.stop();
  });

  const getJSON = async <T>(path: string): Promise<T> => {
    const r = await fetch(debug.url + path);
    expect(r.status, path).toBe(200);
    return (await r.json()) as T;
  };

  it('/debug/backends shows the PromQL the backend last sent, its latency, and the recent provider-call latency', async () => {
    const res = await server.getJSON('/apis/custom.metrics.k8s.io/v1beta2/namespaces/dbg/pods/%2A/dbg_requests?labelSelector=app%3Ddbg');
    expect(res.status).toBe(200);
    const { backends } = await getJSON<{ backends: BackendSnapshot[] }>('/debug/backends');
    const b = backends.find((x) => x.name === 'prom')!;
    const last = b.queries[0];
    expect(last).toMatchObject({ operation: 'query', ok: true });
    expect(last.query).toContain('dbg_requests');
    // Merged queries (query.coalesce, the default) ask once for the metric's series of every
    // namespace, grouped by namespace and pod; each request takes its own objects from the answer.
    expect(last.query).toContain('by (namespace,pod)');
    expect(last.ms).toBeGreaterThan(0);
    expect(Date.parse(last.at)).not.toBeNaN();
    // The recorded text is what Prometheus was asked: asking it again gives the served values.
    const again = (await prom.query(last.query)).filter((s) => s.metric.namespace === 'dbg' && ['dbg-1', 'dbg-2'].includes(s.metric.pod!));
    expect(Object.fromEntries(again.map((s) => [s.metric.pod, s.value]))).toEqual({ 'dbg-1': 1.5, 'dbg-2': 250 });
    // Discovery's /series calls are recorded too, with their matchers.
    expect(b.queries.some((q) => q.operation === 'series' && q.query.includes('dbg_requests'))).toBe(true);
    const provider = b.latency.find((l) => l.operation === 'provider.getMetricBySelector')!;
    expect(provider).toMatchObject({ lastOk: true });
    expect(provider.samples).toBeGreaterThanOrEqual(1);
    expect(provider.p50Ms).toBeLessThanOrEqual(provider.p99Ms);
    expect(b.latency.find((l) => l.operation === 'query')?.samples).toBeGreaterThanOrEqual(1);
  });

  it('/debug/values shows the last value served per object, custom and external', async () => {
    expect((await server.getJSON('/apis/custom.metrics.k8s.io/v1beta2/namespaces/dbg/pods/dbg-2/dbg_requests')).status).toBe(200);
    expect((await server.getJSON('/apis/external.metrics.k8s.io/v1beta1/namespaces/dbg/dbg_queue')).status).toBe(200);
    const { values } = await getJSON<{ values: RecentMetricValues[] }>('/debug/values');
    const requests = values.find((v) => v.api === 'custom' && v.metric === 'dbg_requests')!;
    expect(requests.backend).toBe('prom');
    // dbg-2 was served last, so it comes first.
    expect(requests.objects.map((o) => [o.object, o.value])).toEqual([
      ['Pod dbg/dbg-2', 250],
      ['Pod dbg/dbg-1', 1.5],
    ]);
    for (const o of requests.objects) expect(Date.parse(o.servedAt)).toBeGreaterThanOrEqual(Date.parse(o.timestamp) - 60_000);
    const queue = values.find((v) => v.api === 'external' && v.metric === 'dbg_queue')!;
    expect(queue.objects).toEqual([expect.objectContaining({ object: '{queue="jobs"}', value: 7 })]);
    // The last query is now the external one.
    const { backends } = await getJSON<{ backends: BackendSnapshot[] }>('/debug/backends');
    expect(backends[0].queries[0].query).toContain('dbg_queue');
  });
});
