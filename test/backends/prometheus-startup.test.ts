// Prometheus unreachable when the server starts: a metric the rules would yield cannot be told
// apart from an unknown one until the first discovery succeeds, so the server answers a 503
// Status with the reason (not the 404 of an unknown metric); once a real Prometheus comes up on
// the configured address, discovery succeeds and the same request is answered 200.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendPlugin, KubeObject } from '@custom-metrics/core';
import { prometheusBackend } from '@custom-metrics/backend-prometheus';
import { freePort, requireBinary, waitFor } from '../../test-support/index.js';
import { startTestServer, type TestServer } from '../../packages/server/test/support/harness.js';
import { startExporter, type TestExporter } from '../../packages/backend-prometheus/test/support/exporter.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';

const prometheusBin = requireBinary('prometheus', 'apt-get install prometheus');

const pods: KubeObject[] = [{ gvk: { group: '', version: 'v1', kind: 'Pod' }, name: 'late-1', namespace: 'late', labels: { app: 'late' }, annotations: {} }];

describe.skipIf(!prometheusBin)('Prometheus not up yet at start-up', () => {
  let exporter: TestExporter;
  let prom: PrometheusProcess | undefined;
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    exporter = await startExporter([
      { name: 'late_requests', labels: { namespace: 'late', pod: 'late-1' }, value: 4 },
      { name: 'late_queue', labels: { queue: 'jobs' }, value: 9 },
    ]);
    port = await freePort();
    server = await startTestServer({
      objects: pods,
      plugins: { '@custom-metrics/backend-prometheus': prometheusBackend as BackendPlugin },
      config: {
        backends: [
          {
            name: 'prom',
            type: 'prometheus',
            config: {
              url: `http://127.0.0.1:${port}`,
              discovery: { interval: '1s', onDemandMinInterval: '100ms' },
              rules: [
                {
                  seriesQuery: '{__name__="late_requests"}',
                  resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
                  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
                },
              ],
              externalRules: [{ seriesQuery: '{__name__="late_queue"}', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)', resources: { namespaced: false } }],
            },
          },
        ],
      },
      now: () => new Date(),
    });
  });

  afterAll(async () => {
    await server?.close();
    await prom?.dispose();
    await exporter?.stop();
  });

  const CUSTOM = '/apis/custom.metrics.k8s.io/v1beta1/namespaces/late/pods/%2A/late_requests?labelSelector=app%3Dlate';
  const EXTERNAL = '/apis/external.metrics.k8s.io/v1beta1/namespaces/late/late_queue';

  it('answers 503 with the reason while discovery has never succeeded, then 200 once Prometheus is up', async () => {
    for (const path of [CUSTOM, EXTERNAL]) {
      const res = await server.getJSON(path);
      expect(res.status, path).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
      const message = (res.json as { message: string }).message;
      expect(message).toContain('cannot tell whether it exists: backend "prom": its metric discovery has not succeeded yet');
      expect(message).toContain('Prometheus unreachable');
    }
    prom = await startPrometheus(prometheusBin as string, exporter.port, { port });
    const up = await waitFor(
      'the custom metric once Prometheus has scraped and discovery ran',
      async () => {
        const r = await server.getJSON(CUSTOM);
        return r.status === 200 && (r.json as { items: unknown[] }).items.length === 1 ? r : undefined;
      },
      60_000,
      500,
    );
    expect((up.json as { items: Array<{ describedObject: { name: string }; value: string }> }).items.map((i) => [i.describedObject.name, i.value])).toEqual([['late-1', '4']]);
    const ext = await server.getJSON(EXTERNAL);
    expect(ext.status).toBe(200);
    // Discovery has succeeded: an unknown metric is a plain 404 again.
    const unknown = await server.getJSON('/apis/custom.metrics.k8s.io/v1beta1/namespaces/late/pods/%2A/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ message: 'the server could not find the metric nope for pods' });
  });
});
