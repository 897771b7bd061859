import { createServer, type IncomingMessage, type Server } from 'node:http';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetricsError } from '@custom-metrics/core';
import { fakeBackendContext } from '@custom-metrics/core/testing';
import { HttpPrometheusClient } from '../src/client.js';
import { freePort, tempDir } from '../../../test-support/index.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('HttpPrometheusClient against a local HTTP double', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let mode: 'ok' | '500' | '400' | 'slow' | 'nan' = 'ok';
  const dir = tempDir('prom-client');

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const json = (code: number, obj: unknown) => {
          res.writeHead(code, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(obj));
        };
        if (mode === '500') return json(500, { status: 'error', errorType: 'internal', error: 'secret backend detail' });
        if (mode === '400') return json(400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 3' });
        if (mode === 'slow') return void setTimeout(() => json(200, { status: 'success', data: { resultType: 'vector', result: [] } }), 2_000);
        if (req.url?.startsWith('/api/v1/series')) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write('{"status":"success","data":[{"__name__":"a","pod":"p1"},');
          res.end('{"__name__":"b","pod":"p2"}]}');
          return;
        }
        const result =
          mode === 'nan'
            ? [{ metric: { pod: 'x' }, value: [1700000000.5, 'NaN'] }, { metric: { pod: 'y' }, value: [1700000000.5, '+Inf'] }]
            : [{ metric: { pod: 'p1' }, value: [1700000000.5, '1.25'] }];
        json(200, { status: 'success', data: { resultType: 'vector', result } });
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    dir.remove();
  });

  const signal = () => new AbortController().signal;

  it('POSTs instant queries form-encoded with the bearer token file, re-read when it changes', async () => {
    mode = 'ok';
    const tokenFile = join(dir.path, 'token');
    writeFileSync(tokenFile, 'first\n');
    const ctx = fakeBackendContext();
    const c = new HttpPrometheusClient({ url: base, timeoutMs: 1_000, auth: { bearerTokenFile: tokenFile }, headers: { 'X-Scope-OrgID': 'tenant-1' }, logger: ctx.logger });
    const samples = await c.query('sum(up{job="x"})', signal());
    expect(samples).toEqual([{ labels: { pod: 'p1' }, value: 1.25, timestampMs: 1700000000500 }]);
    let req = seen.at(-1) as Seen;
    expect([req.method, req.url, req.headers['content-type'], req.headers.authorization, req.headers['x-scope-orgid']]).toEqual([
      'POST',
      '/api/v1/query',
      'application/x-www-form-urlencoded',
      'Bearer first',
      'tenant-1',
    ]);
    expect(new URLSearchParams(req.body).get('query')).toBe('sum(up{job="x"})');
    writeFileSync(tokenFile, 'second-token');
    utimesSync(tokenFile, new Date(), new Date(Date.now() + 5_000));
    await c.query('up', signal());
    req = seen.at(-1) as Seen;
    expect(req.headers.authorization).toBe('Bearer second-token');
    c.close();
  });

  it('reads an explicit token or password file at creation: a missing one is a ConfigError naming the field', () => {
    const logger = fakeBackendContext().logger;
    const missing = join(dir.path, 'no-such-token');
    expect(() => new HttpPrometheusClient({ url: base, timeoutMs: 1_000, auth: { bearerTokenFile: missing }, logger })).toThrow(
      `auth.bearerTokenFile: cannot read ${missing} (ENOENT)`,
    );
    expect(() => new HttpPrometheusClient({ url: base, timeoutMs: 1_000, auth: { basic: { username: 'u', passwordFile: missing } }, logger })).toThrow(
      `auth.basic.passwordFile: cannot read ${missing} (ENOENT)`,
    );
  });

  it('uses GET when configured, and basic auth', async () => {
    mode = 'ok';
    const c = new HttpPrometheusClient({ url: base, method: 'GET', timeoutMs: 1_000, auth: { basic: { username: 'u', password: 'p:w' } }, logger: fakeBackendContext().logger });
    await c.query('up{a="b"}', signal());
    const req = seen.at(-1) as Seen;
    expect(req.method).toBe('GET');
    expect(new URL(req.url, base).searchParams.get('query')).toBe('up{a="b"}');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
    c.close();
  });

  it('streams /api/v1/series with match[] and time bounds', async () => {
    mode = 'ok';
    const c = new HttpPrometheusClient({ url: base, timeoutMs: 1_000, logger: fakeBackendContext().logger });
    const got: Array<Record<string, string>> = [];
    const n = await c.series(['{__name__=~"a|b"}'], { start: new Date(1_000_000), end: new Date(2_000_500) }, (s) => got.push(s), signal());
    expect(n).toBe(2);
    expect(got.map((s) => s.__name__)).toEqual(['a', 'b']);
    const params = new URLSearchParams((seen.at(-1) as Seen).body);
    expect([params.getAll('match[]'), params.get('start'), params.get('end')]).toEqual([['{__name__=~"a|b"}'], '1000.000', '2000.500']);
    c.close();
  });

  it('parses NaN and Inf values (the provider drops them)', async () => {
    mode = 'nan';
    const c = new HttpPrometheusClient({ url: base, timeoutMs: 1_000, logger: fakeBackendContext().logger });
    expect((await c.query('x', signal())).map((s) => s.value)).toEqual([NaN, Infinity]);
    c.close();
  });

  it('maps failures to 503/500 MetricsErrors without leaking the backend message, which is logged', async () => {
    const ctx = fakeBackendContext();
    const c = new HttpPrometheusClient({ url: base, timeoutMs: 300, logger: ctx.logger });
    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
        return 0;
      } catch (e) {
        expect(isMetricsError(e)).toBe(true);
        expect(String((e as Error).message)).not.toMatch(/secret|parse error/);
        return (e as { code: number }).code;
      }
    };
    mode = '500';
    expect(await codeOf(c.query('x', signal()))).toBe(503);
    expect(JSON.stringify(ctx.logger.records)).toContain('secret backend detail');
    mode = '400';
    expect(await codeOf(c.query('x', signal()))).toBe(500);
    mode = 'slow';
    expect(await codeOf(c.query('x', signal()))).toBe(503);
    const refused = new HttpPrometheusClient({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 1_000, logger: ctx.logger });
    expect(await codeOf(refused.query('x', signal()))).toBe(503);
    refused.close();
    c.close();
  });

  it("rejects with the caller's abort reason", async () => {
    mode = 'slow';
    const c = new HttpPrometheusClient({ url: base, timeoutMs: 5_000, logger: fakeBackendContext().logger });
    const ac = new AbortController();
    const p = c.query('x', ac.signal);
    setTimeout(() => ac.abort(new Error('client went away')), 50);
    await expect(p).rejects.toThrow('client went away');
    c.close();
  });

  it('sends an instant query once more when the connection is reset under it (a kept-alive socket closed by the server); a series call is not retried', async () => {
    let resets = 1;
    let requests = 0;
    const flaky = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        if (resets > 0) {
          resets--;
          req.socket.destroy(); // no answer: the client sees ECONNRESET / socket hang up
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { pod: 'p1' }, value: [1700000000.5, '2'] }] } }));
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => flaky.listen(port, '127.0.0.1', r));
    const c = new HttpPrometheusClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2_000, logger: fakeBackendContext().logger });
    try {
      expect((await c.query('x', signal())).map((s) => s.value)).toEqual([2]);
      expect(requests).toBe(2);
      // Reset twice in a row: one retry only, then the 503 of an unreachable backend.
      resets = 2;
      requests = 0;
      await expect(c.query('x', signal())).rejects.toMatchObject({ code: 503 });
      expect(requests).toBe(2);
      resets = 1;
      requests = 0;
      await expect(c.series(['x'], { start: new Date(0), end: new Date(1) }, () => undefined, signal())).rejects.toMatchObject({ code: 503 });
      expect(requests).toBe(1);
    } finally {
      c.close();
      flaky.closeAllConnections();
      await new Promise<void>((r) => flaky.close(() => r()));
    }
  });
});
