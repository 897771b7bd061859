// On-demand discovery is bounded with the server's defaults: the real server binary
// (lookupOnDemand and discovery.* left at their defaults) in front of a real Prometheus reached
// through a loopback proxy that can hold `/api/v1/series` — a relist that does not finish. A
// flood of metric names nobody lists is answered 404 without waiting for that relist (each
// request waits at most `discovery.onDemandWait`, 1 s by default, far inside the 10 s request
// deadline), costs one shared relist, and the same names again are answered from the negative
// cache without another.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, tempDir, waitFor } from '../../test-support/index.js';
import { startExporter, type TestExporter } from '../../packages/backend-prometheus/test/support/exporter.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';
import { startChildServer, type ChildServer } from '../../packages/server/test/support/child-server.js';

const prometheusBin = requireBinary('prometheus', 'apt-get install prometheus');

/** The server's default `server.requestTimeoutSeconds`: a request that waited for the held relist would end there (503). */
const REQUEST_TIMEOUT_MS = 10_000;
const FLOOD = 60;

/** A loopback HTTP proxy to `target`; while `hold` is set, `/api/v1/series` requests wait for `release()`. */
async function startHoldingProxy(target: number): Promise<{ url: string; seriesCalls: number; hold: boolean; release(): void; close(): Promise<void> }> {
  let waiting: Array<() => void> = [];
  const state = {
    url: '',
    seriesCalls: 0,
    hold: false,
    release() {
      state.hold = false;
      const w = waiting;
      waiting = [];
      for (const go of w) go();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const up = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/api/v1/series')) {
      state.seriesCalls++;
      if (state.hold) {
        req.pause();
        waiting.push(() => {
          req.resume();
          forward(req, res);
        });
        return;
      }
    }
    forward(req, res);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${port}`;
  return state;
}

describe.skipIf(!prometheusBin)('on-demand discovery under a flood of unknown names, with the server defaults', () => {
  const dir = tempDir('prom-on-demand-flood');
  let exporter: TestExporter;
  let prom: PrometheusProcess;
  let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
  let server: ChildServer;

  beforeAll(async () => {
    exporter = await startExporter([{ name: 'known_requests', labels: { namespace: 'demo', pod: 'web-1' }, value: 3 }]);
    prom = await startPrometheus(prometheusBin as string, exporter.port);
    await waitFor('the first scrape', async () => (await prom.query('known_requests'))[0]?.value === 3, 30_000, 250);
    proxy = await startHoldingProxy(prom.port);
    server = await startChildServer(dir.path, [
      'backends:',
      '  - name: prom',
      '    type: prometheus',
      '    config:',
      `      url: ${proxy.url}`,
      '      rules:',
      "        - seriesQuery: '{__name__=~\"known_requests|.*_late\"}'",
      '          resources: { overrides: { namespace: { resource: namespace }, pod: { resource: pod } } }',
      "          metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'",
      'standalone:',
      '  objects:',
      '    - { resource: pods, namespace: demo, name: web-1 }',
    ]);
    await waitFor('the first discovery', async () => (await server.get('/apis/custom.metrics.k8s.io/v1beta1/namespaces/demo/pods/web-1/known_requests')).status === 200, 30_000, 250);
  }, 120_000);

  afterAll(async () => {
    proxy?.release();
    await server?.stop();
    await proxy?.close();
    await prom?.dispose();
    await exporter?.stop();
    dir.remove();
  });

  const ask = (i: number) => server.get(`/apis/custom.metrics.k8s.io/v1beta1/namespaces/demo/pods/web-1/unknown_${i}`, REQUEST_TIMEOUT_MS * 3);

  it('answers every unknown name 404 while the relist hangs, within the request deadline, with one relist for all', async () => {
    const before = proxy.seriesCalls;
    proxy.hold = true;
    const answers = await Promise.all(Array.from({ length: FLOOD }, (_, i) => ask(i)));
    for (const a of answers) {
      expect(a.status, a.body).toBe(404);
      expect(JSON.parse(a.body)).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });
      expect(a.ms).toBeLessThan(REQUEST_TIMEOUT_MS);
    }
    // One seriesQuery, one shared on-demand relist (still held), whatever the number of names —
    // plus, on a slow machine, at most the periodic relist (discovery.interval, 1m by default).
    expect(proxy.seriesCalls - before).toBeGreaterThanOrEqual(1);
    expect(proxy.seriesCalls - before).toBeLessThanOrEqual(2);
  }, 60_000);

  it('answers the same names again from the negative cache: no new relist, the known metric still served', async () => {
    const before = proxy.seriesCalls;
    const answers = await Promise.all(Array.from({ length: FLOOD }, (_, i) => ask(i)));
    expect(answers.map((a) => a.status)).toEqual(Array(FLOOD).fill(404));
    expect(proxy.seriesCalls - before).toBeLessThanOrEqual(1); // at most the periodic relist, never one per name
    const metrics = (await server.get('/metrics')).body;
    expect(metrics).toMatch(/custom_metrics_backend_events_total\{instance="prom",event="discovery_on_demand_cached_unknown"\} [1-9]/);
    expect(metrics).toMatch(/custom_metrics_backend_events_total\{instance="prom",event="discovery_on_demand_unfinished"\} [1-9]/);
    proxy.release();
    expect((await server.get('/apis/custom.metrics.k8s.io/v1beta1/namespaces/demo/pods/web-1/known_requests')).status).toBe(200);
    expect(server.alive()).toBe(true);
  }, 60_000);
});
