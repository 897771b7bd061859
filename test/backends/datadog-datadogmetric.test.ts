// DatadogMetric references end to end: the real server (startServer: TLS, TokenReview and
// SubjectAccessReview against the kube-apiserver double, InformerKubeLookup reading the
// datadoghq.com/v1alpha1 DatadogMetric CRD the double serves), the Datadog backend against the
// Datadog API double through @datadog/datadog-api-client, and kubectl as the client. An HPA's
// `datadogmetric@<namespace>:<name>` resolves to the object's spec.query, window and maxAge.
// Then the cluster saying no, through the same informer lookup: no CRD (404), RBAC missing (503).
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendPlugin } from '@custom-metrics/core';
import { FakeKubeLookup } from '@custom-metrics/core/testing';
import datadogBackend from '@custom-metrics/backend-datadog';
import type { DatadogDouble } from '@custom-metrics/backend-datadog/testing';
import { requireBinary, tempDir, waitFor } from '../../test-support/index.js';
import { KubeConfig } from '@kubernetes/client-node';
import { Selector } from '@custom-metrics/core';
import { fakeBackendContext } from '@custom-metrics/core/testing';
import { createDatadogBackend } from '@custom-metrics/backend-datadog';
import { startServer, type RunningServer } from '../../packages/server/src/cli/serve.js';
import { InformerKubeLookup } from '../../packages/server/src/kube/informer-lookup.js';
import { KubeRest } from '../../packages/server/src/kube/rest.js';
import { StandaloneKubeLookup } from '../../packages/server/src/standalone/standalone-kube-lookup.js';
import { DEFAULT_RESOURCES, KubeApiserverDouble } from '../../packages/server/test/kube/apiserver-double.js';
import { createTestPki, writePki, type ApiDoc, type TestPki } from '../../packages/server/test/support/secure-server.js';
import { startTestServer } from '../../packages/server/test/support/harness.js';
import { API_KEY, APP_KEY, startDouble } from '../../packages/backend-datadog/test/support/harness.js';

const kubectl = requireBinary('kubectl', 'install kubectl: https://kubernetes.io/docs/tasks/tools/');

const DATADOGMETRIC_CRD = { group: 'datadoghq.com', version: 'v1alpha1', resource: 'datadogmetrics', kind: 'DatadogMetric', namespaced: true };
const NGINX = 'avg:nginx.net.request_per_s{kube_service:nginx}.rollup(30)';
const QUEUE = 'sum:rabbitmq.queue.messages{queue:jobs}';
const QUEUE_V2 = 'max:rabbitmq.queue.messages{queue:jobs}';
const BASE = '/apis/external.metrics.k8s.io/v1beta1';
const RULE_TEMPLATE = 'avg:rabbitmq.queue.consumers{<<tags>>}';
const RULE_QUERY = 'avg:rabbitmq.queue.consumers{*}';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(!kubectl)('DatadogMetric references through the real server, kubectl as the client', () => {
  const dir = tempDir('dd-datadogmetric');
  let kube: KubeApiserverDouble;
  let dd: DatadogDouble;
  let pki: TestPki;
  let server: RunningServer;
  let kubeconfig = '';
  const savedEnv = { api: process.env.DDM_TEST_API_KEY, app: process.env.DDM_TEST_APP_KEY };
  const now = () => Math.floor(Date.now() / 1000) * 1000;

  const run = (path: string): Promise<Run> =>
    new Promise((resolve) => {
      const child = execFile(
        kubectl!,
        ['--kubeconfig', kubeconfig, 'get', '--raw', path],
        { env: { PATH: process.env.PATH ?? '', HOME: join(dir.path, 'home') }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });

  async function getJSON(path: string): Promise<ApiDoc> {
    const r = await run(path);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as ApiDoc;
  }

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'home'), { recursive: true });
    dd = await startDouble({
      resolve: (q) => {
        const t = now();
        if (q === NGINX) return [{ tags: [], points: [[t - 30_000, 40], [t, 42]] }];
        if (q === QUEUE) return [{ tags: [], points: [[t, 7]] }];
        if (q === QUEUE_V2) return [{ tags: [], points: [[t, 9]] }];
        return [];
      },
    });
    kube = await KubeApiserverDouble.start([...DEFAULT_RESOURCES, DATADOGMETRIC_CRD]);
    kube.upsert('namespaces', { metadata: { name: 'default', labels: {} } });
    kube.upsert('datadogmetrics.datadoghq.com', {
      metadata: { namespace: 'default', name: 'nginx-requests' },
      spec: { query: NGINX, timeWindow: '2m', maxAge: '3m' },
    });
    kube.upsert('datadogmetrics.datadoghq.com', { metadata: { namespace: 'default', name: 'jobs' }, spec: { query: QUEUE } });
    kube.upsert('datadogmetrics.datadoghq.com', { metadata: { namespace: 'default', name: 'bad-age' }, spec: { query: QUEUE, maxAge: 'soon' } });
    kube.upsert('datadogmetrics.datadoghq.com', { metadata: { namespace: 'default', name: 'no-query' }, spec: { maxAge: '1m' } });
    kube.upsert('datadogmetrics.datadoghq.com', { metadata: { namespace: 'team-b', name: 'theirs' }, spec: { query: QUEUE } });
    kube.tokens.set('hpa-token', { username: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler', groups: ['system:serviceaccounts'] });
    kube.sarPolicy = () => ({ allowed: true });

    process.env.DDM_TEST_API_KEY = API_KEY;
    process.env.DDM_TEST_APP_KEY = APP_KEY;
    pki = createTestPki();
    const files = writePki(dir.path, pki);
    const config = join(dir.path, 'config.yaml');
    writeFileSync(
      config,
      [
        'server:',
        '  logLevel: silent',
        '  shutdownTimeoutSeconds: 2',
        'backends:',
        '  - name: datadog',
        '    type: datadog',
        '    lookupOnDemand: true',
        '    config:',
        `      baseUrl: ${dd.url}`,
        '      apiKey: { env: DDM_TEST_API_KEY }',
        '      appKey: { env: DDM_TEST_APP_KEY }',
        // Short, so that the test sees the refresh loop batch both DatadogMetric queries.
        '      refreshInterval: 1s',
        '      external:',
        '        - name: consumers',
        `          query: "${RULE_TEMPLATE}"`,
        '          namespaced: false',
        '',
      ].join('\n'),
    );
    server = await startServer(config, {
      securePort: 0,
      bindAddress: '127.0.0.1',
      tlsCertFile: files.servingCert,
      tlsPrivateKeyFile: files.servingKey,
      kubeconfig: kube.writeKubeconfig(dir.path),
      clientCaFile: files.clientCA,
      requestheaderClientCaFile: files.frontProxyCA,
      requestheaderAllowedNames: ['front-proxy-client'],
    });
    kubeconfig = join(dir.path, 'hpa.kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'cms', cluster: { server: `https://127.0.0.1:${server.port}`, 'certificate-authority-data': Buffer.from(pki.servingCA.cert).toString('base64') } }],
        users: [{ name: 'hpa', user: { token: 'hpa-token' } }],
        contexts: [{ name: 'cms', context: { cluster: 'cms', user: 'hpa' } }],
        'current-context': 'cms',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await server?.shutdown();
    await kube?.close();
    await dd?.stop();
    if (savedEnv.api === undefined) delete process.env.DDM_TEST_API_KEY;
    else process.env.DDM_TEST_API_KEY = savedEnv.api;
    if (savedEnv.app === undefined) delete process.env.DDM_TEST_APP_KEY;
    else process.env.DDM_TEST_APP_KEY = savedEnv.app;
    dir.remove();
  });

  it("serves datadogmetric@default:nginx-requests from the object's spec.query over its spec.timeWindow", async () => {
    const list = await getJSON(`${BASE}/namespaces/default/datadogmetric@default:nginx-requests`);
    expect(list).toMatchObject({ kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1' });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ metricName: 'datadogmetric@default:nginx-requests', value: '42' });
    // Through the real Datadog client: the query is the object's, the window its timeWindow (2m).
    const call = dd.calls.find((c) => c.queries.includes(NGINX));
    expect(call, JSON.stringify(dd.calls.map((c) => c.queries))).toBeDefined();
    const attrs = (call!.body as { data: { attributes: { from: number; to: number } } }).data.attributes;
    expect(attrs.to - attrs.from).toBe(120_000);
    // The informer, not a GET per request: one LIST (then a WATCH) of datadogmetrics.
    expect(kube.requestsTo('GET', '/apis/datadoghq.com/v1alpha1/namespaces/default/datadogmetrics/')).toHaveLength(0);
    const lists = kube.requestsTo('GET', '/apis/datadoghq.com/v1alpha1/datadogmetrics').filter((r) => r.query.get('watch') !== 'true');
    expect(lists).toHaveLength(1);
  });

  it('takes the name case-insensitively and ignores the HPA metricSelector, as the Cluster Agent does', async () => {
    const list = await getJSON(`${BASE}/namespaces/default/DatadogMetric@default:Jobs?labelSelector=${encodeURIComponent('queue=other')}`);
    expect(list.items.map((i) => [i.metricName, i.value])).toEqual([['datadogmetric@default:jobs', '7']]);
    expect(dd.calls.flatMap((c) => c.queries).some((q) => q.includes('queue:other'))).toBe(false);
  });

  it("refreshes DatadogMetric queries in the rules' batches: one Datadog call per window group", async () => {
    // nginx-requests (2m window) and jobs (default 5m window) are two window groups; a third
    // DatadogMetric and a rule on the default window join jobs' call.
    kube.upsert('datadogmetrics.datadoghq.com', { metadata: { namespace: 'default', name: 'jobs-max' }, spec: { query: QUEUE_V2 } });
    await waitFor('jobs-max in the informer cache', async () => (await run(`${BASE}/namespaces/default/datadogmetric@default:jobs-max`)).code === 0, 20_000, 200);
    expect((await getJSON(`${BASE}/namespaces/default/consumers`)).items).toEqual([]);
    const seen = dd.calls.length;
    await waitFor(
      'a refresh call carrying the default-window queries of both DatadogMetrics and the rule',
      async () => dd.calls.slice(seen).some((c) => [QUEUE, QUEUE_V2, RULE_QUERY].every((q) => c.queries.includes(q)) && !c.queries.includes(NGINX)),
      20_000,
      200,
    );
  });

  it('lists every DatadogMetric in discovery', async () => {
    await waitFor(
      'discovery to list the DatadogMetric objects',
      async () => {
        const doc = await getJSON(BASE);
        const names = doc.resources.map((r) => r.name);
        return ['datadogmetric@default:nginx-requests', 'datadogmetric@default:jobs', 'datadogmetric@team-b:theirs'].every((n) => names.includes(n));
      },
      20_000,
      250,
    );
  });

  it('follows a changed spec.query through the watch', async () => {
    kube.upsert('datadogmetrics.datadoghq.com', { metadata: { namespace: 'default', name: 'jobs' }, spec: { query: QUEUE_V2 } });
    await waitFor('the new query to answer', async () => {
      const r = await run(`${BASE}/namespaces/default/datadogmetric@default:jobs`);
      return r.code === 0 && (JSON.parse(r.stdout) as ApiDoc).items[0]?.value === '9';
    }, 20_000, 200);
  });

  it('answers 404 naming a DatadogMetric that does not exist', async () => {
    const r = await run(`${BASE}/namespaces/default/datadogmetric@default:missing`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (NotFound)');
    expect(r.stderr).toContain('DatadogMetric default/missing not found');
  });

  it('answers 400 naming the field of an invalid spec', async () => {
    const age = await run(`${BASE}/namespaces/default/datadogmetric@default:bad-age`);
    expect(age.stderr).toContain('Error from server (BadRequest)');
    expect(age.stderr).toContain('DatadogMetric default/bad-age: spec.maxAge "soon" is not a duration');
    const query = await run(`${BASE}/namespaces/default/datadogmetric@default:no-query`);
    expect(query.stderr).toContain('DatadogMetric default/no-query has no spec.query');
  });

  it("refuses another namespace's DatadogMetric (403) unless allowCrossNamespace is set", async () => {
    const r = await run(`${BASE}/namespaces/default/datadogmetric@team-b:theirs`);
    expect(r.stderr).toContain('Error from server (Forbidden)');
    expect(r.stderr).toContain('set datadogMetrics.allowCrossNamespace: true');
  });

  it('answers 404 for a name with the prefix but not the form', async () => {
    const r = await run(`${BASE}/namespaces/default/datadogmetric@default`);
    expect(r.stderr).toContain('is not a valid DatadogMetric reference; write datadogmetric@<namespace>:<name>');
  });
});

describe('DatadogMetric references without the CRD', () => {
  let dd: DatadogDouble;
  beforeAll(async () => {
    dd = await startDouble();
  });
  afterAll(async () => {
    await dd?.stop();
  });

  const config = () => ({
    backends: [{ name: 'datadog', type: 'datadog', lookupOnDemand: true, config: { baseUrl: dd.url, apiKey: { env: 'DDM_NOCRD_KEY' }, appKey: { env: 'DDM_NOCRD_KEY' } } }],
  });

  for (const [what, kube] of [
    ['a cluster without the DatadogMetric CRD', () => new FakeKubeLookup()],
    ['standalone mode', () => new StandaloneKubeLookup([])],
  ] as const) {
    it(`${what}: 404 saying the resource is not served`, async () => {
      process.env.DDM_NOCRD_KEY = 'k';
      const s = await startTestServer({ config: config(), kube: kube(), plugins: { '@custom-metrics/backend-datadog': datadogBackend as BackendPlugin }, now: () => new Date() });
      try {
        const res = await s.getJSON(`${BASE}/namespaces/default/datadogmetric@default:nginx-requests`);
        expect(res.status).toBe(404);
        expect(res.json).toMatchObject({ kind: 'Status', reason: 'NotFound' });
        expect((res.json as { message: string }).message).toContain('the cluster does not serve the datadogmetrics.datadoghq.com resource');
        expect(dd.calls).toHaveLength(0);
      } finally {
        await s.close();
        delete process.env.DDM_NOCRD_KEY;
      }
    });
  }
});

describe('DatadogMetric references through the informer lookup when the cluster says no', () => {
  const dir = tempDir('dd-datadogmetric-kube');
  let dd: DatadogDouble;
  const open: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    dd = await startDouble();
  });
  afterAll(async () => {
    for (const o of open.reverse()) await o.close();
    await dd?.stop();
    dir.remove();
  });

  async function backendOn(resources: typeof DEFAULT_RESOURCES, setup: (k: KubeApiserverDouble) => void = () => undefined) {
    const double = await KubeApiserverDouble.start(resources);
    open.push(double);
    setup(double);
    const kc = new KubeConfig();
    kc.loadFromFile(double.writeKubeconfig(dir.path, `k-${open.length}.kubeconfig`));
    const lookup = new InformerKubeLookup(new KubeRest(kc), { restartDelayMs: 100 });
    open.push(lookup);
    const instance = createDatadogBackend(fakeBackendContext({ kube: lookup }), { baseUrl: dd.url, refreshInterval: '1h' }, { env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY } });
    open.push({ close: async () => instance.close?.() });
    const get = () =>
      instance.external!.getExternalMetric({ namespace: 'default', metricSelector: Selector.everything(), info: { metric: 'datadogmetric@default:nginx-requests' }, signal: new AbortController().signal });
    return { instance, get };
  }

  it('the CRD is not installed: 404 saying the cluster does not serve datadogmetrics.datadoghq.com', async () => {
    const { get } = await backendOn(DEFAULT_RESOURCES);
    await expect(get()).rejects.toMatchObject({ code: 404, message: expect.stringContaining('the cluster does not serve the datadogmetrics.datadoghq.com resource') });
    expect(dd.calls).toHaveLength(0);
  });

  it('RBAC does not allow listing DatadogMetrics: 503 naming the ClusterRole rule to add', async () => {
    const { get } = await backendOn([...DEFAULT_RESOURCES, DATADOGMETRIC_CRD], (k) => {
      k.forbidden.add('datadogmetrics.datadoghq.com');
      k.upsert('datadogmetrics.datadoghq.com', { metadata: { namespace: 'default', name: 'nginx-requests' }, spec: { query: NGINX } });
    });
    await expect(get()).rejects.toMatchObject({
      code: 503,
      message: expect.stringContaining("the server's ClusterRole must allow get, list and watch on datadogmetrics.datadoghq.com"),
    });
    expect(dd.calls).toHaveLength(0);
  });
});
