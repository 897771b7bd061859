import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import Koa, { type Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/index.js';
import { H2StreamRequest } from '../src/http/h2-stream.js';
import { LiteContext, splitUrl } from '../src/http/lite-context.js';
import { createSecureServer, type RequestHandler, type SecureServer } from '../src/tls/serving.js';
import { allowAllAuthentication, startTestServer, type TestServer } from './support/harness.js';

/** Which context type the authentication middleware saw, per request path. */
const seen: string[] = [];
const recordingAuthentication: Middleware = async (ctx, next) => {
  seen.push(ctx instanceof LiteContext ? (ctx.req instanceof H2StreamRequest ? 'stream' : 'fast') : 'koa');
  await allowAllAuthentication(ctx, next);
};

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One request over an HTTP/2 session. */
function h2get(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, ':method': method, ...headers });
    let status = 0;
    let resHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      const { ':status': _s, ...rest } = h;
      resHeaders = rest as IncomingHttpHeaders;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve({ status, headers: resHeaders, body: Buffer.concat(chunks).toString() }));
    stream.on('error', reject);
    stream.end();
  });
}

/** The headers a client sees, without those that differ between two answers by nature. */
function comparable(h: IncomingHttpHeaders, keepAuditId: boolean): IncomingHttpHeaders {
  const { date: _date, 'audit-id': auditId, ...rest } = h;
  return keepAuditId ? { ...rest, 'audit-id': auditId } : rest;
}

const C1 = '/apis/custom.metrics.k8s.io/v1beta1';
const C2 = '/apis/custom.metrics.k8s.io/v1beta2';
const E = '/apis/external.metrics.k8s.io/v1beta1';
const R = '/apis/metrics.k8s.io/v1beta1';

/** GET requests of every shape the pre-composed path serves, answers and errors alike. */
const CASES: Array<{ path: string; headers?: Record<string, string> }> = [
  { path: `${C1}/namespaces/default/pods/%2A/http_requests?labelSelector=app%3Dsample-app` },
  { path: `${C2}/namespaces/default/pods/*/http_requests?labelSelector=app%3Dsample-app` },
  { path: `${C2}/namespaces/default/deployments.apps/sample-app/http_requests_total?metricLabelSelector=verb%3DGET` },
  { path: `${C2}/namespaces/default/metrics/queue_length?metricLabelSelector=queue%3Dorders` },
  { path: `${C1}/nodes/%2A/node_load1` },
  { path: `${C1}/nodes/*/node_load1?pretty=true` },
  { path: `${C1}/nodes/*/node_load1`, headers: { 'user-agent': 'curl/8.0' } },
  { path: '/apis/custom.metrics.k8s.io' },
  { path: C1 },
  { path: `${C2}/` },
  { path: E },
  { path: `${E}/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker_tasks` },
  { path: `${E}/namespaces/default/queue_depth` },
  { path: R },
  { path: `${R}/nodes` },
  { path: `${R}/namespaces/default/pods` },
  { path: `${C1}/namespaces/default/pods/*/http_requests?labelSelector=app+in+sample-app` },
  { path: `${C1}/namespaces/default/pods/*/nope` },
  { path: `${C1}/namespaces/default/queue_length` },
  { path: `${C1}/a/b/c/d` },
  { path: '/apis/custom.metrics.k8s.io/v2/pods/x/y' },
  { path: `${C2}/namespaces/default/pods/*/http_requests?watch=true` },
  { path: `${C1}/namespaces/default/pods/*/http_requests?fieldSelector=nonsense` },
  { path: `${C1}/namespaces/default/pods/%ZZ/http_requests` },
  { path: `${C1}/pods/*/http_requests` },
  { path: `${C1}/namespaces/default/pods/*/http_requests`, headers: { 'audit-id': 'from-the-aggregator' } },
  { path: `${C1}/namespaces/default/pods/*/http_requests`, headers: { 'x-test-anonymous': '1' } },
];

describe('the pre-composed request path', () => {
  let s: TestServer;
  let koaOnly: Server;
  let koaPort: number;
  let fastPort: number;

  beforeAll(async () => {
    s = await startTestServer({ authenticate: recordingAuthentication });
    fastPort = Number(new URL(s.url).port);
    // The same application, every request through koa (the handler the app had before the fast path).
    koaOnly = createServer(Koa.prototype.callback.call(s.sc.app));
    await new Promise<void>((resolve) => koaOnly.listen(0, '127.0.0.1', resolve));
    koaPort = (koaOnly.address() as AddressInfo).port;
  });
  afterAll(async () => {
    koaOnly.closeAllConnections();
    await new Promise<void>((resolve) => koaOnly.close(() => resolve()));
    await s.close();
  });

  it('serves GET on the metric API groups without koa, and everything else through koa', async () => {
    seen.length = 0;
    await get(fastPort, `${C1}/nodes/*/node_load1`);
    await get(fastPort, `${C1}/nodes/*/node_load1`, {}, 'HEAD');
    await get(fastPort, '/apis');
    await get(fastPort, `${C1}/nodes/*/node_load1#frag`);
    await get(fastPort, '/apis/custom.metrics.k8s.io.evil/x');
    expect(seen).toEqual(['fast', 'koa', 'koa', 'koa', 'koa']);
  });

  it('answers every request exactly as the koa app does: status, headers and body', async () => {
    for (const c of CASES) {
      const fast = await get(fastPort, c.path, c.headers);
      const viaKoa = await get(koaPort, c.path, c.headers);
      const keepAuditId = c.headers?.['audit-id'] !== undefined;
      expect({ status: fast.status, headers: comparable(fast.headers, keepAuditId), body: fast.body }, c.path).toEqual({
        status: viaKoa.status,
        headers: comparable(viaKoa.headers, keepAuditId),
        body: viaKoa.body,
      });
      expect(fast.headers['audit-id'], c.path).toBeTruthy();
    }
  });

  it('logs the same request line and counts the request in the same metric series', async () => {
    const path = `${C2}/namespaces/default/pods/*/http_requests?labelSelector=app%3Dsample-app`;
    const before = s.logs.length;
    await get(fastPort, path, { 'audit-id': 'fast-1' });
    await get(koaPort, path, { 'audit-id': 'koa-1' });
    await expectSameLogLineAndSeries(s, before, 'fast-1', 'koa-1');
  });
});

describe('the pre-composed request path over HTTP/2 streams (no compatibility API)', () => {
  const certs = tempDir('fast-path-h2');
  let s: TestServer;
  let direct: SecureServer;
  let koaOnly: SecureServer;
  let directSession: ClientHttp2Session;
  let koaSession: ClientHttp2Session;

  const serve = async (handler: RequestHandler, http2Direct?: (method: string, url: string) => boolean) => {
    const server = createSecureServer({ certDir: certs.path, shutdownGraceMs: 1000, ...(http2Direct ? { http2Direct } : {}) }, handler);
    const { port } = await server.listen(0, '127.0.0.1');
    return { server, session: h2connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false }) };
  };

  beforeAll(async () => {
    s = await startTestServer({ authenticate: recordingAuthentication });
    // The server's serving layer with the fast path's streams, and every request through koa
    // over node's compatibility API (what HTTP/2 clients got before the fast path).
    ({ server: direct, session: directSession } = await serve(s.sc.app.callback() as RequestHandler, s.sc.app.fastRequests));
    ({ server: koaOnly, session: koaSession } = await serve(Koa.prototype.callback.call(s.sc.app) as RequestHandler));
  });
  afterAll(async () => {
    directSession?.close();
    koaSession?.close();
    await direct?.close();
    await koaOnly?.close();
    await s.close();
    certs.remove();
  });

  it('answers the GETs of the metric API groups from the stream, everything else through koa', async () => {
    seen.length = 0;
    await h2get(directSession, `${C1}/nodes/*/node_load1`);
    await h2get(directSession, `${C1}/nodes/*/node_load1`, {}, 'HEAD');
    await h2get(directSession, '/apis');
    await h2get(directSession, '/apis/custom.metrics.k8s.io.evil/x');
    await h2get(directSession, `${C1}/nodes/*/node_load1`, { expect: '100-continue' });
    expect(seen).toEqual(['stream', 'koa', 'koa', 'koa', 'fast']);
  });

  it('answers every request exactly as koa does over the compatibility API: status, headers and body', async () => {
    for (const c of CASES) {
      const fromStream = await h2get(directSession, c.path, c.headers);
      const viaKoa = await h2get(koaSession, c.path, c.headers);
      const keepAuditId = c.headers?.['audit-id'] !== undefined;
      expect({ status: fromStream.status, headers: comparable(fromStream.headers, keepAuditId), body: fromStream.body }, c.path).toEqual({
        status: viaKoa.status,
        headers: comparable(viaKoa.headers, keepAuditId),
        body: viaKoa.body,
      });
      expect(fromStream.headers['audit-id'], c.path).toBeTruthy();
      expect(fromStream.headers.date, c.path).toBeTruthy();
    }
  });

  it('logs the same request line and counts the request in the same metric series', async () => {
    const path = `${C2}/namespaces/default/pods/*/http_requests?labelSelector=app%3Dsample-app`;
    const before = s.logs.length;
    await h2get(directSession, path, { 'audit-id': 'stream-1' });
    await h2get(koaSession, path, { 'audit-id': 'koa-h2-1' });
    await expectSameLogLineAndSeries(s, before, 'stream-1', 'koa-h2-1');
  });
});

describe('splitUrl', () => {
  it("splits path and query string as koa's parseurl does, and refuses what koa would re-parse", () => {
    expect(splitUrl('/a/b?x=1&y=2?z')).toEqual({ path: '/a/b', querystring: 'x=1&y=2?z' });
    expect(splitUrl('/a/b')).toEqual({ path: '/a/b', querystring: '' });
    expect(splitUrl('/a/b?')).toEqual({ path: '/a/b', querystring: '' });
    expect(splitUrl('//a/b')).toEqual({ path: '//a/b', querystring: '' });
    for (const u of ['http://h/a', '*', '/a b', '/a#b', '/a\tb', '/a\u00a0b', undefined]) expect(splitUrl(u), String(u)).toBeUndefined();
  });
});

/**
 * The request log lines of `s` after the first `before` with audit IDs `direct` and `viaKoa` are the same but for time, latency and
 * audit ID, and the request was counted in the request-duration series of a 200 GET.
 */
async function expectSameLogLineAndSeries(s: TestServer, before: number, direct: string, viaKoa: string): Promise<void> {
  const lines = s.logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
  const strip = (l: Record<string, unknown>) => {
    const { time: _t, latencyMs, auditID: _a, ...rest } = l;
    expect(typeof latencyMs).toBe('number');
    return rest;
  };
  const a = lines.find((l) => l.auditID === direct);
  const b = lines.find((l) => l.auditID === viaKoa);
  expect(a).toBeDefined();
  expect(strip(a!)).toEqual(strip(b!));
  const metrics = await s.sc.metrics.registry.getSingleMetricAsString('custom_metrics_server_request_duration_seconds');
  expect(metrics).toMatch(/request_duration_seconds_count\{group="custom.metrics.k8s.io",verb="get",code="200"\} \d+/);
}
