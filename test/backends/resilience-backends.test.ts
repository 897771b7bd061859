// Resilience of the real server process against its backends (issue #12 "survive the world"):
// a real Prometheus killed and started again, a hanging backend, and a local HTTP double that
// answers 150 MB or garbage — each asserting Status codes, timing bounds derived from the flags
// (generous) and that the server stays up, ready, and within a 256 MB heap.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, tempDir, waitFor } from '../../test-support/index.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';
import { startChildServer, type ChildServer } from '../../packages/server/test/support/child-server.js';

const MiB = 1024 * 1024;
// Deadlines wide enough that a loaded CI machine still reads 32 MiB before the backend's timeout
// (the size limit, not the deadline, must be what answers the 150 MB case).
const REQUEST_TIMEOUT_S = 8;
const BACKEND_TIMEOUT = '6s';
const HUGE_BYTES = 150 * MiB;
const EXT = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default';

/** A Prometheus HTTP API double whose instant queries answer 150 MB, garbage, or never. */
async function startBadPrometheus(): Promise<{ url: string; stop(): Promise<void>; sentBytes(): number }> {
  let sent = 0;
  const streamHuge = (res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"status":"success","data":{"resultType":"vector","result":[');
    const item = `{"metric":{"queue":"${'q'.repeat(200)}"},"value":[1700000000,"1"]},`;
    const chunk = item.repeat(Math.ceil((256 * 1024) / item.length));
    let closed = false;
    let written = 0;
    res.on('close', () => (closed = true));
    const pump = () => {
      while (!closed && written < HUGE_BYTES) {
        written += chunk.length;
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!closed) res.end('{"metric":{},"value":[1700000000,"1"]}]}}');
    };
    pump();
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url?.startsWith('/api/v1/series')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify({ status: 'success', data: ['huge_queue', 'garbage_queue', 'hanging_queue'].map((n) => ({ __name__: n, queue: 'a' })) }));
      }
      const query = new URLSearchParams(body).get('query') ?? '';
      if (query.includes('huge_queue')) return streamHuge(res);
      if (query.includes('garbage_queue')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.end('{"status":"success","data":{"resultType":"vector","result":[{"metric":{}, \u0000 garbage');
      }
      // hanging_queue: headers never come; the connection is dropped when the client gives up.
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}`,
    sentBytes: () => sent,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const externalRule = (series: string, by: string) =>
  `      - { seriesQuery: '{__name__=~"${series}"}', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (${by})', resources: { namespaced: false } }`;

describe('resilience: the server process against failing backends', () => {
  const dir = tempDir('resilience');
  const prometheusBin = requireBinary('prometheus', 'install Prometheus (/usr/bin/prometheus) to run the resilience suite');
  let prom: PrometheusProcess | undefined;
  let bad: Awaited<ReturnType<typeof startBadPrometheus>>;
  let server: ChildServer;

  beforeAll(async () => {
    bad = await startBadPrometheus();
    if (prometheusBin) prom = await startPrometheus(prometheusBin, await freePort());
    const backends = [
      'backends:',
      '  - name: bad',
      '    type: prometheus',
      '    config:',
      `      url: ${bad.url}`,
      `      timeout: ${BACKEND_TIMEOUT}`,
      '      cache: { ttl: 0s }',
      '      discovery: { interval: 1m }',
      '      externalRules:',
      externalRule('huge_queue|garbage_queue|hanging_queue', 'queue'),
      '  - name: mem',
      '    type: memory',
      '    config:',
      '      external: [{ name: always_there, series: [{ labels: { q: a }, value: 1 }] }]',
    ];
    if (prom) {
      backends.push(
        '  - name: prom',
        '    type: prometheus',
        '    config:',
        `      url: ${prom.url}`,
        `      timeout: ${BACKEND_TIMEOUT}`,
        '      cache: { ttl: 0s }',
        '      discovery: { interval: 1s }',
        '      externalRules:',
        externalRule('up', 'job'),
      );
    }
    server = await startChildServer(dir.path, [`  requestTimeoutSeconds: ${REQUEST_TIMEOUT_S}`, ...backends], ['--max-old-space-size=256']);
    let last = "";
    await waitFor("the bad backend to list its metrics", async () => {
      const r = await server.get(`${EXT}/huge_queue`);
      last = `${r.status} ${r.body.slice(0, 300)}`;
      return r.status === 503;
    }, 30_000, 200).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; last answer: ${last}; output: ${server.output()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await prom?.dispose();
    await bad?.stop();
    dir.remove();
  });

  const expectUp = async () => {
    expect(server.alive(), server.output()).toBe(true);
    for (const p of ['/readyz', '/livez', '/healthz']) expect((await server.get(p)).status, p).toBe(200);
    expect((await server.get(`${EXT}/always_there`)).status).toBe(200);
  };

  it('answers a 150 MB backend answer with a 503 naming the backend and the limit, read no further, and stays up under a 256 MB heap', async () => {
    for (let i = 0; i < 3; i++) {
      const before = bad.sentBytes();
      const res = await server.get(`${EXT}/huge_queue`);
      expect(res.status).toBe(503);
      const status = JSON.parse(res.body) as { kind: string; reason: string; message: string };
      expect(status).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
      expect(status.message).toContain('backend "bad"');
      expect(status.message).toContain(`maxResponseBytes (${32 * MiB} bytes)`);
      // The read stopped near the limit (socket buffers aside), far below the 150 MB offered.
      expect(bad.sentBytes() - before).toBeLessThan(HUGE_BYTES / 2);
    }
    await expectUp();
    const metrics = await server.get('/metrics');
    const heap = Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics.body)?.[1] ?? NaN);
    expect(Number.isFinite(heap), 'nodejs_heap_size_used_bytes on /metrics').toBe(true);
    expect(heap).toBeLessThan(256 * MiB);
  });

  it('answers a malformed answer with a 503 (not a 500) and stays up', async () => {
    const res = await server.get(`${EXT}/garbage_queue`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', code: 503, message: expect.stringContaining('malformed') });
    await expectUp();
  });

  it('answers a hanging backend with a 503 within the deadline flags, and stays ready', async () => {
    const res = await server.get(`${EXT}/hanging_queue`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    // The backend's timeout (6 s) is below the request deadline (8 s); allow a wide margin for a loaded machine.
    expect(res.ms).toBeLessThan(REQUEST_TIMEOUT_S * 1000 + 8_000);
    await expectUp();
  });

  it('lists a failing backend as informational in /readyz?verbose and in custom_metrics_backend_healthy', async () => {
    const verbose = await server.get('/readyz?verbose');
    expect(verbose.status).toBe(200);
    expect(verbose.body).toContain('[+]backend:mem ok (informational, does not affect readiness)');
    expect(verbose.body).toContain('readyz check passed');
    expect((await server.get('/metrics')).body).toContain('custom_metrics_backend_healthy{instance="mem"} 1');
  });

  it.runIf(prometheusBin !== undefined || process.env.CI === 'true')(
    'a real Prometheus killed and started again: its metrics 503 during, 200 after, /readyz 200 throughout',
    async () => {
      if (!prom) throw new Error('prometheus is required when CI=true');
      const p = prom;
      const up = `${EXT}/up`;
      await waitFor('prometheus metrics to be served', async () => (await server.get(up)).status === 200, 60_000, 250);
      let readyFailures = 0;
      let probing = true;
      const probe = (async () => {
        while (probing) {
          if ((await server.get('/readyz')).status !== 200) readyFailures++;
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      try {
        await p.stop();
        const down = await server.get(up);
        expect(down.status).toBe(503);
        expect(JSON.parse(down.body)).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
        expect(down.ms).toBeLessThan(REQUEST_TIMEOUT_S * 1000 + 8_000);
        await waitFor('the prom backend to report unhealthy', async () => (await server.get('/metrics')).body.includes('custom_metrics_backend_healthy{instance="prom"} 0'), 30_000, 250);
        const verbose = await server.get('/readyz?verbose');
        expect(verbose.status).toBe(200);
        expect(verbose.body).toMatch(/\[-\]backend:prom failed: .* \(informational, does not affect readiness\)/);
        await expectUp();
        await p.restart();
        await waitFor('prometheus metrics to be served again', async () => (await server.get(up)).status === 200, 60_000, 250);
      } finally {
        probing = false;
        await probe;
      }
      expect(readyFailures).toBe(0);
      await expectUp();
    },
    180_000,
  );
});
