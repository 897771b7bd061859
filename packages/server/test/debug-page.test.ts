// The debug page of the real server (--debug-address): JSON endpoints, a secret in the config
// never served, and the page rendered by a real headless Chromium (DOM and screenshot; the
// screenshot is kept under .tmp/ as a test artifact).
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, tempDir } from '../../../test-support/index.js';
import { startServer, type RunningServer } from '../src/cli/serve.js';
import { KubeApiserverDouble } from './kube/apiserver-double.js';
import { createTestPki, MEMORY_BACKEND_YAML, seedCluster, writePki } from './support/secure-server.js';

const chromium = requireBinary('chromium', 'install the Debian package chromium (/usr/bin/chromium)');
const SECRET = 'debug-page-secret-7f3a9c';
const HEADER_SECRET = 'header-secret-b81d22';
const ARTIFACTS = resolve(import.meta.dirname, '../../../.tmp');

describe('the debug page of the real server', () => {
  const dir = tempDir('debug-page');
  let double: KubeApiserverDouble;
  let server: RunningServer;
  let base = '';

  beforeAll(async () => {
    double = await KubeApiserverDouble.start();
    seedCluster(double);
    const pki = createTestPki();
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
      expect(dom.stdout).not.toContain(SECRET);
      // Console messages are logged as CONSOLE lines; none may be an error.
      const consoleLines = dom.stderr.split('\n').filter((l) => l.includes('CONSOLE'));
      expect(consoleLines.filter((l) => /error|uncaught/i.test(l))).toEqual([]);

      mkdirSync(ARTIFACTS, { recursive: true });
      const png = join(ARTIFACTS, 'debug-page.png');
      const shot = await run([`--screenshot=${png}`, '--window-size=1280,1000', `${base}/debug/`]);
      expect(shot.code, shot.stderr).toBe(0);
      expect(statSync(png).size).toBeGreaterThan(10_000);
    }, 120_000);
  });
});
