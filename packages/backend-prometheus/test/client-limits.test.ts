import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isResponseTooLargeError } from '@custom-metrics/core';
import { fakeBackendContext } from '@custom-metrics/core/testing';
import { HttpPrometheusClient } from '../src/client.js';
import { createPrometheusBackend } from '../src/plugin.js';
import { freePort } from '../../../test-support/index.js';

const MiB = 1024 * 1024;
const LIMIT = MiB;
/** The double never sends more than this, whether or not the client hangs up. */
const CAP = 64 * MiB;

/** Writes `{"status":"success","data":{"resultType":"vector","result":[` then samples until the client leaves or CAP. */
function streamHuge(res: ServerResponse, series: boolean): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.write(series ? '{"status":"success","data":[' : '{"status":"success","data":{"resultType":"vector","result":[');
  const item = series ? '{"__name__":"m","pod":"' + 'p'.repeat(200) + '"},' : '{"metric":{"pod":"' + 'p'.repeat(200) + '"},"value":[1700000000,"1"]},';
  const chunk = item.repeat(Math.ceil(64 * 1024 / item.length));
  let sent = 0;
  const pump = () => {
    while (sent < CAP) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end(']}}');
  };
  res.on('close', () => (sent = CAP + 1));
  pump();
}

describe('HttpPrometheusClient bounds every answer by maxResponseBytes', () => {
  let server: Server;
  let base: string;
  let mode: 'huge' | 'declared' | 'garbage' | 'hugeError' | 'series2MiB' = 'huge';
  let bytesSent = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const write = res.write.bind(res);
        res.write = ((c: string | Buffer, ...rest: never[]) => {
          bytesSent += c.length;
          return write(c, ...rest);
        }) as typeof res.write;
        if (mode === 'declared') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(500 * MiB) });
          return void res.write('{"status":"success"');
        }
        if (mode === 'garbage') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          return void res.end('<html>502 Bad Gateway</html>\u0000\u00ff garbage');
        }
        if (mode === 'series2MiB') {
          // A whole, valid listing of 2 MiB: past maxResponseBytes (LIMIT), under discovery's limit.
          const item = '{"__name__":"m","pod":"' + 'p'.repeat(200) + '"}';
          const n = Math.ceil((2 * MiB) / (item.length + 1));
          res.writeHead(200, { 'Content-Type': 'application/json' });
          return void res.end(`{"status":"success","data":[${Array.from({ length: n }, () => item).join(',')}]}`);
        }
        if (mode === 'hugeError') {
          res.writeHead(500, { 'Content-Type': 'text/html' });
          return void res.end('x'.repeat(4 * MiB));
        }
        streamHuge(res, req.url?.startsWith('/api/v1/series') === true);
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const client = () => new HttpPrometheusClient({ url: base, timeoutMs: 20_000, maxResponseBytes: LIMIT, logger: fakeBackendContext().logger });
  const signal = () => new AbortController().signal;

  it('fails an instant query past the limit with a 503 naming it, having read little more than the limit', async () => {
    mode = 'huge';
    bytesSent = 0;
    const c = client();
    const err = await c.query('up', signal()).catch((e: unknown) => e);
    c.close();
    expect(isResponseTooLargeError(err)).toBe(true);
    expect(err).toMatchObject({ code: 503, limitBytes: LIMIT });
    expect((err as Error).message).toContain(`maxResponseBytes (${LIMIT} bytes)`);
    // The read stopped at the limit: the double sent far less than its 64 MiB (socket buffers aside).
    expect(bytesSent).toBeLessThan(CAP / 2);
  });

  it('bounds a streamed series listing by its own limit (discovery.maxResponseBytes), naming it', async () => {
    mode = 'huge';
    bytesSent = 0;
    const c = new HttpPrometheusClient({ url: base, timeoutMs: 20_000, maxResponseBytes: 64 * 1024, seriesMaxResponseBytes: LIMIT, logger: fakeBackendContext().logger });
    let seen = 0;
    const err = await c.series(['{__name__=~".+"}'], { start: new Date(0), end: new Date() }, () => seen++, signal()).catch((e: unknown) => e);
    c.close();
    expect(isResponseTooLargeError(err)).toBe(true);
    expect(err).toMatchObject({ code: 503, limitBytes: LIMIT });
    expect((err as Error).message).toContain(`discovery.maxResponseBytes (${LIMIT} bytes)`);
    expect(seen).toBeGreaterThan(0);
    expect(bytesSent).toBeLessThan(CAP / 2);
  });

  it('reads a series listing past maxResponseBytes whole when under discovery\'s limit (default 1 GiB)', async () => {
    mode = 'series2MiB';
    const c = client();
    let seen = 0;
    const n = await c.series(['{__name__=~".+"}'], { start: new Date(0), end: new Date() }, () => seen++, signal());
    c.close();
    expect(n).toBeGreaterThan(8000);
    expect(seen).toBe(n);
  });

  it('relists through createPrometheusBackend under discovery.maxResponseBytes, not maxResponseBytes (config wiring)', async () => {
    mode = 'series2MiB';
    const rules = [{ seriesQuery: '{__name__="m"}', resources: { overrides: { pod: { resource: 'pod' } } }, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' }];
    const relist = async (config: Record<string, unknown>) => {
      const ctx = fakeBackendContext();
      const inst = createPrometheusBackend(ctx, { url: base, maxResponseBytes: 64 * 1024, rules, ...config });
      await inst.start?.();
      const listed = await inst.custom!.listAllMetrics();
      const health = await inst.health?.();
      const warnings = (ctx.logger as unknown as { records: Array<{ level: string; fields: Record<string, unknown>; msg?: string }> }).records.filter((r) => r.level === 'warn');
      await inst.close?.();
      return { listed, health, warnings };
    };
    // The default discovery limit (1 GiB) reads the 2 MiB listing although maxResponseBytes is 64 KiB.
    const ok = await relist({});
    expect(ok.listed).toEqual([{ groupResource: { group: '', resource: 'pods' }, namespaced: false, metric: 'm' }]);
    expect(ok.health).toMatchObject({ healthy: true });
    // discovery.maxResponseBytes below the listing: the series call fails, the log names the field.
    const small = await relist({ discovery: { maxResponseBytes: LIMIT } });
    expect(small.health).toMatchObject({ healthy: false });
    expect(JSON.stringify(small.warnings)).toContain(`discovery.maxResponseBytes (${LIMIT} bytes)`);
  });

  it('refuses a declared Content-Length past the limit before reading the body', async () => {
    mode = 'declared';
    const c = client();
    await expect(c.query('up', signal())).rejects.toMatchObject({ code: 503, limitBytes: LIMIT });
    c.close();
  });

  it('answers a malformed (non-JSON) answer with a 503, not a 500', async () => {
    mode = 'garbage';
    const c = client();
    const err = await c.query('up', signal()).catch((e: unknown) => e);
    c.close();
    expect(err).toMatchObject({ code: 503, message: expect.stringContaining('malformed') });
  });

  it('reads a huge error page no further than 64 KiB and keeps the status', async () => {
    mode = 'hugeError';
    const c = client();
    await expect(c.query('up', signal())).rejects.toMatchObject({ code: 503, message: 'the metrics backend is unavailable' });
    c.close();
  });
});
