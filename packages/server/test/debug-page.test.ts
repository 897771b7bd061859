// The debug page of the real server (--debug-address): JSON endpoints (last values served,
// recent latency, last backend queries, the cluster's HPAs read through the informers), a secret
// in the config never served, and the page rendered by a real headless Chromium (DOM and
// screenshot; the screenshot is kept under .tmp/ as a test artifact).
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, tempDir, waitFor } from '../../../test-support/index.js';
import { startServer, type RunningServer } from '../src/cli/serve.js';
import { DEBUG_PAGE } from '../src/debug/page.js';
import type { BackendSnapshot } from '../src/debug/snapshot.js';
import type { RecentMetricValues } from '../src/observability/recent.js';
import { DEFAULT_RESOURCES, KubeApiserverDouble } from './kube/apiserver-double.js';
import { issueCert } from './kube/certs.js';
import { httpsGet } from './support/https-client.js';
import { createTestPki, MEMORY_BACKEND_YAML, seedCluster, writePki, type TestPki } from './support/secure-server.js';

const chromium = requireBinary('chromium', 'install the Debian package chromium (/usr/bin/chromium)');
const SECRET = 'debug-page-secret-7f3a9c';
const HEADER_SECRET = 'header-secret-b81d22';
const ARTIFACTS = resolve(import.meta.dirname, '../../../.tmp');

describe('the debug page of the real server', () => {
  const dir = tempDir('debug-page');
  let double: KubeApiserverDouble;
  let server: RunningServer;
  let pki: TestPki;
  let base = '';

  beforeAll(async () => {
    double = await KubeApiserverDouble.start([
      ...DEFAULT_RESOURCES,
      { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true },
    ]);
    seedCluster(double);
    double.upsert('deployments.apps', { metadata: { namespace: 'default', name: 'web', labels: {} }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } } });
    double.upsert('horizontalpodautoscalers.autoscaling', {
      metadata: { namespace: 'default', name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, metrics: [{ type: 'Pods', pods: { metric: { name: 'http_requests' }, target: { type: 'AverageValue', averageValue: '2' } } }] },
    });
    double.sarPolicy = () => ({ allowed: true });
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
        ...MEMORY_BACKEND_YAML,
        // A Prometheus nobody listens on: a backend with an error to show, and secrets in its config.
        '  - name: prom-down',
        '    type: prometheus',
        '    config:',
        '      url: http://127.0.0.1:9',
        '      timeout: 1s',
        '      discovery: { interval: 1m }',
        `      headers: { X-Scope-OrgID: ${HEADER_SECRET} }`,
        `      auth: { bearerToken: ${SECRET} }`,
        '      externalRules:',
        `      - { seriesQuery: '{__name__="q"}', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)', resources: { namespaced: false } }`,
        '',
      ].join('\n'),
    );
    server = await startServer(config, {
      securePort: 0,
      bindAddress: '127.0.0.1',
      tlsCertFile: files.servingCert,
      tlsPrivateKeyFile: files.servingKey,
      kubeconfig: double.writeKubeconfig(dir.path),
      clientCaFile: files.clientCA,
      requestheaderClientCaFile: files.frontProxyCA,
      requestheaderAllowedNames: ['front-proxy-client'],
      debugAddress: '127.0.0.1:0',
    });
    base = server.debugUrl!;
  }, 60_000);

  afterAll(async () => {
    await server?.shutdown();
    await double?.close();
    dir.remove();
  });

  const get = async (path: string) => {
    const r = await fetch(base + path);
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  };

  it('listens on loopback only and serves the JSON endpoints', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const backends = JSON.parse((await get('/debug/backends')).text) as { backends: Array<{ name: string; type: string; healthy: boolean; lastError?: string }> };
    expect(backends.backends.map((b) => [b.name, b.type])).toEqual([
      ['mem', 'memory'],
      ['prom-down', 'prometheus'],
    ]);
    expect(backends.backends[0].healthy).toBe(true);
    const metrics = JSON.parse((await get('/debug/metrics')).text) as { metrics: Array<{ api: string; name: string; backend: string }> };
    expect(metrics.metrics).toContainEqual({ api: 'custom', name: 'pods/http_requests', namespaced: true, backend: 'mem' });
    expect(metrics.metrics).toContainEqual({ api: 'external', name: 'queue_messages_ready', namespaced: true, backend: 'mem' });
    const notFound = await get('/debug/nope');
    expect(notFound.status).toBe(404);
    expect(JSON.parse(notFound.text)).toMatchObject({ kind: 'Status', code: 404, message: expect.stringContaining('/debug/backends') });
  });

  it('/debug/values and /debug/backends show the last values served, the recent call latency and the last backend queries', async () => {
    const client = issueCert(pki.clientCA, { commonName: 'debug-tester' });
    const api = (path: string) => httpsGet(`https://127.0.0.1:${server.port}${path}`, { ca: pki.servingCA.cert, cert: client.cert, key: client.key });
    expect((await api('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A/rps?labelSelector=app%3Dweb')).status).toBe(200);
    expect((await api('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker_tasks')).status).toBe(200);
    const { values } = JSON.parse((await get('/debug/values')).text) as { values: RecentMetricValues[] };
    expect(values.map((v) => [v.api, v.metric, v.backend])).toEqual([
      ['external', 'queue_messages_ready', 'mem'],
      ['custom', 'rps', 'mem'],
    ]);
    expect(values[1].objects.map((o) => [o.object, o.value])).toEqual([
      ['Pod default/web-2', 2],
      ['Pod default/web-1', 1.5],
    ]);
    expect(values[0].objects).toEqual([expect.objectContaining({ object: '{queue="worker_tasks"}', value: 42 })]);
    const { backends } = JSON.parse((await get('/debug/backends')).text) as { backends: BackendSnapshot[] };
    const mem = backends.find((b) => b.name === 'mem')!;
    expect(mem.latency.map((l) => l.operation).sort()).toEqual(['provider.getExternalMetric', 'provider.getMetricBySelector']);
    for (const l of mem.latency) expect(l).toMatchObject({ samples: 1, lastOk: true });
    // The memory backend sends no query; the unreachable Prometheus's failed discovery is recorded.
    expect(mem.queries).toEqual([]);
    const down = backends.find((b) => b.name === 'prom-down')!;
    expect(down.queries[0]).toMatchObject({ operation: 'series', ok: false, query: '{__name__="q"}' });
    expect(down.latency).toContainEqual(expect.objectContaining({ operation: 'series', lastOk: false }));
  });

  it('never serves a secret of the config', async () => {
    const config = await get('/debug/config');
    expect(config.status).toBe(200);
    expect(config.text).toContain('http://127.0.0.1:9');
    expect(config.text).toContain('[redacted]');
    expect(JSON.parse(config.text)).toMatchObject({ config: { server: { authorizationAlwaysAllowPaths: ['/healthz', '/readyz', '/livez'] } } });
    for (const path of ['/debug/config', '/debug/backends', '/debug/metrics', '/debug/']) {
      const r = await get(path);
      expect(r.text, path).not.toContain(SECRET);
      expect(r.text, path).not.toContain(HEADER_SECRET);
    }
  });

  it('/debug/explain explains the cluster\'s HPAs (GET) and posted manifests (POST), through the server\'s kubeconfig', async () => {
    // The double is a kube-apiserver without the metrics APIServices: the reason says so.
    const all = JSON.parse((await get('/debug/explain')).text) as { ok: boolean; hpas: Array<{ name: string; scaleTarget: { selector: string }; metrics: Array<{ reason?: { code: string; message: string } }> }> };
    expect(all.ok).toBe(false);
    expect(all.hpas.map((h) => h.name)).toEqual(['web']);
    expect(all.hpas[0].scaleTarget.selector).toBe('app=web');
    expect(all.hpas[0].metrics[0].reason).toMatchObject({ code: 'api-unavailable', message: expect.stringContaining('custom.metrics.k8s.io is not in discovery') });
    expect(all).toMatchObject({ source: 'informer' });
    const manifest = ['apiVersion: autoscaling/v2', 'kind: HorizontalPodAutoscaler', 'metadata: { name: posted }', 'spec:', '  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: nope }', '  maxReplicas: 3', ''].join('\n');
    const posted = await fetch(`${base}/debug/explain`, { method: 'POST', body: manifest });
    expect(posted.status).toBe(200);
    const body = (await posted.json()) as { hpas: Array<{ scaleTarget: { reason?: { code: string; message: string } } }> };
    expect(body.hpas[0].scaleTarget.reason).toMatchObject({ code: 'target-unresolved', message: 'Deployment/nope does not exist in namespace default' });
    const bad = await fetch(`${base}/debug/explain`, { method: 'POST', body: 'kind: Pod' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ kind: 'Status', code: 400, message: 'the posted manifest: no HorizontalPodAutoscaler in it' });
  });

  it('/debug/explain reads the cluster\'s HPAs through the informers: one LIST, then the watch keeps them current', async () => {
    const hpaLists = () => double.requests.filter((r) => r.method === 'GET' && r.path === '/apis/autoscaling/v2/horizontalpodautoscalers' && r.query.get('watch') !== 'true');
    await get('/debug/explain');
    expect(hpaLists()).toHaveLength(1);
    double.upsert('horizontalpodautoscalers.autoscaling', {
      metadata: { namespace: 'ops', name: 'batch' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'batch' }, maxReplicas: 3, metrics: [] },
    });
    const both = await waitFor('the new HPA through the watch', async () => {
      const body = JSON.parse((await get('/debug/explain')).text) as { source: string; hpas: Array<{ namespace: string; name: string; scaleTarget: { reason?: { code: string } } }> };
      return body.hpas.length === 2 ? body : undefined;
    }, 20_000, 200);
    expect(both.source).toBe('informer');
    expect(both.hpas.map((h) => `${h.namespace}/${h.name}`)).toEqual(['default/web', 'ops/batch']);
    expect(both.hpas[1].scaleTarget.reason?.code).toBe('target-unresolved');
    expect(hpaLists()).toHaveLength(1);
    double.remove('horizontalpodautoscalers.autoscaling', 'ops', 'batch');
    await waitFor('the HPA removed through the watch', async () => (JSON.parse((await get('/debug/explain')).text) as { hpas: unknown[] }).hpas.length === 1, 20_000, 200);
    expect(hpaLists()).toHaveLength(1);
  });

  it('the page\'s inline script parses', () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(DEBUG_PAGE)?.[1];
    expect(script).toBeDefined();
    expect(() => new Script(script!)).not.toThrow();
  });

  it('rejects a non-loopback --debug-address', async () => {
    await expect(startServer(undefined, { debugAddress: '0.0.0.0:6060', standalone: true })).rejects.toThrow(/loopback only/);
  });

  describe.skipIf(!chromium)('in headless Chromium', () => {
    const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      const profile = tempDir('chromium-profile');
      return new Promise((done) => {
        execFile(
          chromium!,
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            `--user-data-dir=${profile.path}`,
            '--enable-logging=stderr',
            '--v=0',
            '--virtual-time-budget=10000',
            ...args,
          ],
          { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
          (err, stdout, stderr) => {
            profile.remove();
            done({ code: err ? 1 : 0, stdout, stderr });
          },
        );
      });
    };

    it('renders every backend and metric without console errors, and a screenshot is saved', async () => {
      const dom = await run(['--dump-dom', `${base}/debug/`]);
      expect(dom.code, dom.stderr).toBe(0);
      expect(dom.stdout).toContain('data-state="ready"');
      expect(dom.stdout).toContain('data-backend="mem"');
      expect(dom.stdout).toContain('data-backend="prom-down"');
      for (const m of ['pods/http_requests', 'pods/rps', 'deployments.apps/replicas_wanted', 'queue_messages_ready']) expect(dom.stdout).toContain(`data-metric="${m}"`);
      // The new sections: last values, last backend queries, the recent latency, the cluster's HPAs.
      expect(dom.stdout).toContain('data-value-metric="rps"');
      expect(dom.stdout).toContain('Pod default/web-1');
      expect(dom.stdout).toContain('data-query-backend="prom-down"');
      expect(dom.stdout).toContain('data-latency="mem provider.getMetricBySelector"');
      expect(dom.stdout).toMatch(/<pre id="cluster-hpas" data-state="explained">HPA default\/web -&gt; Deployment\/web/);
      expect(dom.stdout).not.toContain(SECRET);
      expect(dom.stdout).toContain('id="explain-all"');
      // Chromium logs every console message and uncaught error as a CONSOLE line (console.error
      // at INFO level too); the page logs nothing, so there must be none.
      expect(dom.stderr.split('\n').filter((l) => l.includes(':CONSOLE'))).toEqual([]);

      mkdirSync(ARTIFACTS, { recursive: true });
      const png = join(ARTIFACTS, 'debug-page.png');
      const shot = await run([`--screenshot=${png}`, '--window-size=1280,2200', `${base}/debug/`]);
      expect(shot.code, shot.stderr).toBe(0);
      expect(statSync(png).size).toBeGreaterThan(10_000);
    }, 120_000);

    it('standalone: the page says why there is nothing to explain, without asking (no console errors)', async () => {
      const sdir = tempDir('debug-page-standalone');
      const file = join(sdir.path, 'config.yaml');
      writeFileSync(
        file,
        [
          'server:',
          '  securePort: 0',
          '  bindAddress: 127.0.0.1',
          `  certDir: ${sdir.path}/certs`,
          '  logLevel: silent',
          '  shutdownTimeoutSeconds: 2',
          'backends:',
          '  - name: mem',
          '    type: memory',
          '    config:',
          '      custom:',
          '        - { resource: pods, metric: rps, default: 1 }',
          'standalone:',
          '  objects:',
          '    - { resource: pods, namespace: default, name: web-1 }',
          '',
        ].join('\n'),
      );
      const standalone = await startServer(file, { standalone: true, debugAddress: '127.0.0.1:0' });
      try {
        const dom = await run(['--dump-dom', `${standalone.debugUrl!}/debug/`]);
        expect(dom.code, dom.stderr).toBe(0);
        expect(dom.stdout).toContain('data-state="ready"');
        expect(dom.stdout).toContain('data-backend="mem"');
        expect(dom.stdout).toMatch(/<pre id="cluster-hpas" data-state="standalone">the server runs standalone/);
        expect(dom.stderr.split('\n').filter((l) => l.includes(':CONSOLE'))).toEqual([]);
        // The endpoint itself still answers scripts with a Status.
        const r = await fetch(`${standalone.debugUrl!}/debug/explain`);
        expect(r.status).toBe(503);
        expect(await r.json()).toMatchObject({ kind: 'Status', code: 503, message: expect.stringContaining('standalone') });
      } finally {
        await standalone.shutdown();
        sdir.remove();
      }
    }, 120_000);
  });
});
