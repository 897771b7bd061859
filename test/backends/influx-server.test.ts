// End to end through the server: a real influxd 1.x holding points written by line protocol, the
// custom-metrics-server app (built by the server's test harness, with allow-all security doubles)
// loading this backend as the built-in type `influx`, and `kubectl get --raw` against it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendPlugin, KubeObject } from '@custom-metrics/core';
import { influxBackend } from '@custom-metrics/backend-influx';
import { requireBinary, waitFor } from '../../test-support/index.js';
import { startTestServer, type TestServer } from '../../packages/server/test/support/harness.js';
import { lpLine, startInfluxd, type Influxd } from '../../packages/backend-influx/test/support/influxd.js';

const influxdBin = requireBinary('influxd', 'apt-get install influxdb');
const kubectlBin = requireBinary('kubectl', 'apt-get install kubectl');

const DB = 'metrics';
const pods: KubeObject[] = ['web-1', 'web-2', 'db-1'].map((name) => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name,
  namespace: 'shop',
  labels: { app: name.startsWith('web') ? 'web' : 'db' },
  annotations: {},
}));

interface ValueList {
  kind: string;
  items: Array<{ describedObject?: { name: string }; metricLabels?: Record<string, string> | null; value: string }>;
}

describe.skipIf(!influxdBin || !kubectlBin)('InfluxDB backend through the server and kubectl get --raw', () => {
  let influx: Influxd;
  let server: TestServer;

  beforeAll(async () => {
    influx = await startInfluxd(influxdBin as string);
    await influx.exec(`CREATE DATABASE "${DB}"`);
    const t = Date.now() - 2_000;
    await influx.write(DB, [
      lpLine('http_requests', { namespace: 'shop', pod: 'web-1' }, 12.5, t),
      lpLine('http_requests', { namespace: 'shop', pod: 'web-2' }, 1500, t),
      lpLine('http_requests', { namespace: 'shop', pod: 'db-1' }, 3, t),
      lpLine('queue_depth', { namespace: 'shop', queue: 'orders' }, 42, t),
      lpLine('queue_depth', { namespace: 'shop', queue: 'mail' }, 7, t),
    ]);
    server = await startTestServer({
      objects: pods,
      plugins: { '@custom-metrics/backend-influx': influxBackend as BackendPlugin },
      config: {
        backends: [
          {
            name: 'influx',
            type: 'influx',
            config: {
              mode: 'influxql',
              url: influx.url,
              database: DB,
              cacheTtlMs: 0,
              timeoutMs: 3_000,
              custom: [{
                resource: 'pods',
                metric: 'http_requests',
                objectTag: 'pod',
                query: 'SELECT last("value") FROM "http_requests" WHERE {{objectFilter}} AND {{namespaceFilter}} AND time > now() - {{window}} GROUP BY {{objectTag}}',
              }],
              external: [{
                metric: 'queue_depth',
                namespaced: true,
                query: 'SELECT last("value") FROM "queue_depth" WHERE {{namespaceFilter}} AND {{labelMatchers}} AND time > now() - {{window}} GROUP BY *',
              }],
            },
          },
        ],
      },
      now: () => new Date(),
    });
  });

  afterAll(async () => {
    await server?.close();
    await influx?.dispose();
  });

  const kubectl = async (path: string) => {
    const { stdout } = await promisify(execFile)(kubectlBin as string, ['--server', server.url, 'get', '--raw', path], {
      env: { ...process.env, KUBECONFIG: '/dev/null', HOME: '/tmp' },
    });
    return JSON.parse(stdout) as ValueList;
  };

  it('serves the points of influxd as Pods metrics, over HTTP and through kubectl', async () => {
    const path = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2A/http_requests?labelSelector=app%3Dweb';
    const got = (l: ValueList) => l.items.map((i) => [i.describedObject?.name, i.value]);
    const viaHttp = await server.getJSON(path);
    expect(viaHttp.status).toBe(200);
    expect(got(viaHttp.json as ValueList)).toEqual([['web-1', '12500m'], ['web-2', '1500']]);
    const viaKubectl = await kubectl(path);
    expect(viaKubectl.kind).toBe('MetricValueList');
    expect(got(viaKubectl)).toEqual([['web-1', '12500m'], ['web-2', '1500']]);
  });

  it('serves tag sets as External metrics, filtered by the label selector, through kubectl', async () => {
    const list = await kubectl('/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_depth?labelSelector=queue%3Dorders');
    expect(list.items.map((i) => [i.metricLabels?.queue, i.value])).toEqual([['orders', '42']]);
    const all = await kubectl('/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_depth');
    expect(all.items.map((i) => i.metricLabels?.queue).sort()).toEqual(['mail', 'orders']);
  });

  it('answers a 503 Status while influxd is down, and recovers after it restarts', async () => {
    const path = '/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_depth?labelSelector=queue%3Dmail';
    await influx.stop();
    const down = await server.getJSON(path);
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 503 });
    expect(down.body).not.toContain(influx.url);
    await influx.start();
    const up = await waitFor('recovery', async () => {
      const r = await server.getJSON(path);
      return r.status === 200 ? r : undefined;
    }, 30_000, 250);
    expect((up.json as ValueList).items.map((i) => i.value)).toEqual(['7']);
  });
});
