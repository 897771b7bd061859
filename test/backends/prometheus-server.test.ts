// End to end through the server: a real Prometheus scraping a test exporter, the
// custom-metrics-server app (built by the server's own test harness, with allow-all security
// doubles) loading this backend as the built-in type `prometheus`, and `kubectl get --raw`
// against it. Values in the API documents must equal what Prometheus returns for the same PromQL.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '@custom-metrics/core';
import type { BackendPlugin } from '@custom-metrics/core';
import { prometheusBackend } from '@custom-metrics/backend-prometheus';
import { requireBinary, waitFor } from '../../test-support/index.js';
import { startTestServer, type TestServer } from '../../packages/server/test/support/harness.js';
import { startExporter, type TestExporter } from '../../packages/backend-prometheus/test/support/exporter.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';

const prometheusBin = requireBinary('prometheus', 'apt-get install prometheus');
const kubectlBin = requireBinary('kubectl', 'apt-get install kubectl');

const pods: KubeObject[] = ['e2e-1', 'e2e-2'].map((name) => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name,
  namespace: 'e2e',
  labels: { app: 'e2e' },
  annotations: {},
}));

interface ValueList {
  items: Array<{ describedObject: { name: string }; value: string; metricName?: string; metricLabels?: Record<string, string> }>;
}

/** Parses the canonical quantities the API returns (`1500m`, `2`, `3k`). */
function quantity(q: string): number {
  const m = /^(-?\d+)(m|k|M|G)?$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  const factor = m[2] ? ({ m: 1e-3, k: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[m[2]] : 1;
  return Number(m[1]) * factor;
}

describe.skipIf(!prometheusBin || !kubectlBin)('Prometheus backend through the server and kubectl get --raw', () => {
  let exporter: TestExporter;
  let prom: PrometheusProcess;
  let server: TestServer;

  beforeAll(async () => {
    exporter = await startExporter([
      { name: 'e2e_requests', labels: { namespace: 'e2e', pod: 'e2e-1' }, value: 1.5 },
      { name: 'e2e_requests', labels: { namespace: 'e2e', pod: 'e2e-2' }, value: 2500 },
      { name: 'e2e_queue', labels: { queue: 'jobs' }, value: 7 },
    ]);
    prom = await startPrometheus(prometheusBin as string, exporter.port);
    await waitFor('the first scrape', async () => (await prom.query('count({__name__=~"e2e_.*"})'))[0]?.value === 3, 30_000, 250);
    server = await startTestServer({
      objects: pods,
      plugins: { '@custom-metrics/backend-prometheus': prometheusBackend as BackendPlugin },
      config: {
        backends: [
          {
            name: 'prom',
            type: 'prometheus',
            config: {
              url: prom.url,
              rules: [
                {
                  seriesQuery: '{__name__=~"e2e_requests|e2e_late"}',
                  resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
                  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
                },
              ],
              externalRules: [{ seriesQuery: '{__name__="e2e_queue"}', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)', resources: { namespaced: false } }],
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

  const kubectl = async (path: string) => {
    const { stdout } = await promisify(execFile)(kubectlBin as string, ['--server', server.url, '--insecure-skip-tls-verify', 'get', '--raw', path], {
      env: { ...process.env, KUBECONFIG: '/dev/null', HOME: '/tmp' },
    });
    return JSON.parse(stdout) as ValueList;
  };

  it('serves Pods metrics equal to Prometheus, over HTTP and through kubectl get --raw', async () => {
    const path = '/apis/custom.metrics.k8s.io/v1beta1/namespaces/e2e/pods/%2A/e2e_requests?labelSelector=app%3De2e';
    const direct = await prom.query('sum(e2e_requests{namespace="e2e",pod=~"e2e-1|e2e-2"}) by (pod)');
    const want = Object.fromEntries(direct.map((s) => [s.metric.pod, s.value]));
    const viaHttp = await server.getJSON(path);
    expect(viaHttp.status).toBe(200);
    const got = (l: ValueList) => Object.fromEntries(l.items.map((i) => [i.describedObject.name, quantity(i.value)]));
    expect(got(viaHttp.json as ValueList)).toEqual(want);
    expect(got(await kubectl(path))).toEqual(want);
  });

  it('serves External metrics equal to Prometheus through kubectl get --raw', async () => {
    const list = await kubectl('/apis/external.metrics.k8s.io/v1beta1/namespaces/e2e/e2e_queue?labelSelector=queue%3Djobs');
    const [direct] = await prom.query('sum(e2e_queue{queue="jobs"}) by (queue)');
    expect(list.items.map((i) => [i.metricLabels, quantity(i.value)])).toEqual([[direct.metric, direct.value]]);
  });

  it('serves a metric newer than the last relist through the server defaults (lookupOnDemand from the plugin), and 404s an unknown one', async () => {
    exporter.series = [...exporter.series, { name: 'e2e_late', labels: { namespace: 'e2e', pod: 'e2e-1' }, value: 42 }];
    await waitFor('the late series to be scraped', async () => (await prom.query('e2e_late'))[0]?.value === 42, 30_000, 250);
    const late = await server.getJSON('/apis/custom.metrics.k8s.io/v1beta1/namespaces/e2e/pods/e2e-1/e2e_late');
    expect(late.status).toBe(200);
    expect((late.json as ValueList).items.map((i) => quantity(i.value))).toEqual([42]);
    const unknown = await server.getJSON('/apis/custom.metrics.k8s.io/v1beta1/namespaces/e2e/pods/e2e-1/e2e_never');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ kind: 'Status', code: 404 });
  });

  it('answers a 503 Status when Prometheus is down, and recovers after it restarts', async () => {
    const path = '/apis/external.metrics.k8s.io/v1beta1/namespaces/e2e/e2e_queue';
    await prom.stop();
    // The default 5 s cache may still answer; wait for it to expire.
    const down = await waitFor('a 503', async () => {
      const r = await server.getJSON(path);
      return r.status === 503 ? r : undefined;
    }, 20_000, 500);
    expect(down.json).toMatchObject({ kind: 'Status', status: 'Failure', code: 503 });
    await prom.restart();
    const up = await waitFor('recovery', async () => {
      const r = await server.getJSON(path);
      return r.status === 200 ? r : undefined;
    }, 30_000, 500);
    expect((up.json as ValueList).items.map((i) => quantity(i.value))).toEqual([7]);
  });
});
