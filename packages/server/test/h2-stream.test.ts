// HTTP/2 streams answered from the session's `stream` event (src/http/h2-stream.ts) on the real
// server (startServer: TLS, x509 and front-proxy authentication, SubjectAccessReview against the
// kube-apiserver double): which streams take that path, what they answer, and the compatibility
// API's duties it keeps (431 guard, client resets, GOAWAY and drain on shutdown).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Http2 from 'node:http2';
import type { Http2SecureServer } from 'node:http2';
import { connect, constants, createSecureServer as createHttp2Server, type ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findBinary, tempDir } from '../../../test-support/index.js';
import { startServer, type RunningServer } from '../src/cli/serve.js';
import { serveStreams } from '../src/http/h2-stream.js';
import { KubeApiserverDouble } from './kube/apiserver-double.js';
import { issueCert, type TestCert } from './kube/certs.js';
import { httpsGet } from './support/https-client.js';
import { writeCertKubeconfig } from './support/kubeconfig.js';
import { createTestPki, sarSpecs, securityFlags, seedCluster, writePki, type TestPki } from './support/secure-server.js';
import { h2Request, h2Send, type H2Answer } from './support/h2-client.js';

/** The HTTP/2 servers node:http2 created in this file (the serving layer's). */
const created = vi.hoisted(() => ({ servers: [] as Http2SecureServer[] }));
vi.mock('node:http2', async (importOriginal) => {
  const m = await importOriginal<typeof Http2>();
  const createSecureServer = (...args: Parameters<typeof m.createSecureServer>) => {
    const server = m.createSecureServer(...args);
    created.servers.push(server);
    return server;
  };
  return { ...m, createSecureServer, default: { ...m, createSecureServer } };
});

/** What the probe plugin reports to the test (the plugin runs in this process). */
interface Probe {
  started: number;
  aborted: number;
  release?: () => void;
  /** The generations of the instances closed so far. */
  closed: number[];
}
const probe: Probe = ((globalThis as { __h2StreamProbe?: Probe }).__h2StreamProbe = { started: 0, aborted: 0, closed: [] });

const probePlugin = fileURLToPath(new URL('./fixtures/plugins/h2-probe-plugin.mjs', import.meta.url));

const FAST = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/fast';
const HELD = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/held';

type Res = H2Answer;

function open(port: number, c: { ca: string; cert?: string; key?: string }): ClientHttp2Session {
  const s = connect(`https://127.0.0.1:${port}`, { ca: c.ca, cert: c.cert, key: c.key, servername: 'localhost', maxSendHeaderBlockLength: 8 << 20 });
  s.on('error', () => undefined);
  return s;
}

const send = h2Send;
const h2 = h2Request;

/** Waits (without a time assertion) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

/** Headers both protocols send identically (HTTP/1.1's connection management and the date left out). */
function comparable(h: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(':') || k === 'date' || k === 'audit-id' || k === 'connection' || k === 'keep-alive') continue;
    out[k] = v;
  }
  return out;
}

/** The server stamps answers with its own clock in whole seconds: two requests may straddle a second. */
const STAMP = /"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/g;
function unstamped(body: string): string {
  return body.replace(STAMP, '"timestamp":"<stamp>"');
}

describe('HTTP/2 streams answered without the compatibility API (real server)', () => {
  const dir = tempDir('h2-stream');
  let double: KubeApiserverDouble;
  let pki: TestPki;
  let server: RunningServer;
  let h2server: Http2SecureServer;
  let client: { ca: string } & TestCert;
  let proxy: { ca: string } & TestCert;
  /** HTTP/2 requests that went through node's compatibility API (its `request` event). */
  const compat: string[] = [];
  const config = `${dir.path}/config.yaml`;
  const writeConfig = (generation: number) =>
    writeFileSync(config, ['server:', '  logLevel: silent', '  shutdownTimeoutSeconds: 5', 'backends:', '  - name: probe', `    type: ${JSON.stringify(probePlugin)}`, `    config: { generation: ${generation} }`, ''].join('\n'));

  beforeAll(async () => {
    double = await KubeApiserverDouble.start();
    seedCluster(double);
    double.sarPolicy = (spec) => ({ allowed: spec.user !== 'mallory' && spec.user !== 'system:anonymous' });
    pki = createTestPki();
    const files = writePki(dir.path, pki);
    client = { ca: pki.servingCA.cert, ...issueCert(pki.clientCA, { commonName: 'hpa', organizations: ['hpa-group'] }) };
    proxy = { ca: pki.servingCA.cert, ...issueCert(pki.frontProxyCA, { commonName: 'front-proxy-client' }) };
    writeConfig(1);
    const before = created.servers.length;
    server = await startServer(config, { ...securityFlags(files, double.writeKubeconfig(dir.path)), debugAddress: '' });
    expect(created.servers.length).toBe(before + 1);
    h2server = created.servers.at(-1)!;
    h2server.on('request', (req: { httpVersionMajor: number; method: string; url: string }) => {
      if (req.httpVersionMajor >= 2) compat.push(`${req.method} ${req.url}`);
    });
  });

  afterAll(async () => {
    probe.release?.();
    await server?.shutdown();
    await double?.close();
    dir.remove();
  });

  it("takes node's compatibility stream listener off the server", () => {
    const listeners = h2server.listeners('stream');
    expect(listeners).toHaveLength(1);
    expect(listeners[0].name).not.toBe('bound onServerStream');
  });

  it('answers GETs of the metric API groups from the stream, everything else through the compatibility API', async () => {
    const session = open(server.port, client);
    try {
      compat.length = 0;
      expect((await h2(session, FAST)).status).toBe(200);
      expect((await h2(session, '/apis/custom.metrics.k8s.io/v1beta1')).status).toBe(200);
      expect((await h2(session, '/apis/custom.metrics.k8s.io/v1beta1/nope')).status).toBe(404);
      expect(compat).toEqual([]);
      const head = await h2(session, FAST, {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      expect((await h2(session, '/healthz')).body).toBe('ok');
      expect((await h2(session, '/apis')).status).toBe(200);
      expect((await h2(session, FAST, { expect: '100-continue' })).status).toBe(200);
      expect(compat).toEqual([`HEAD ${FAST}`, 'GET /healthz', 'GET /apis', `GET ${FAST}`]);
    } finally {
      session.close();
    }
  });

  it('sends the same status, headers and body as over HTTP/1.1, answers and Status errors alike', async () => {
    const session = open(server.port, client);
    try {
      for (const path of [FAST, `${FAST}?labelSelector=app%3Dweb`, '/apis/external.metrics.k8s.io/v1beta1', '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/nope', `${FAST}?labelSelector=%ZZ`, '/apis/metrics.k8s.io/v1beta1/nodes']) {
        const viaH2 = await h2(session, path, { 'audit-id': 'same-id' });
        const viaH1 = await httpsGet(`https://127.0.0.1:${server.port}${path}`, { ...client, headers: [['Audit-ID', 'same-id']] });
        expect(viaH1.alpn).not.toBe('h2');
        expect({ status: viaH2.status, headers: comparable(viaH2.headers), body: unstamped(viaH2.body) }, path).toEqual({ status: viaH1.status, headers: comparable(viaH1.headers), body: unstamped(viaH1.body) });
        expect(viaH2.headers['audit-id'], path).toBe('same-id');
        expect(viaH2.headers.date, path).toBeTruthy();
      }
      const anonymous = open(server.port, { ca: pki.servingCA.cert });
      const forbidden = await h2(anonymous, FAST);
      anonymous.close();
      expect(forbidden.status).toBe(403);
      expect(JSON.parse(forbidden.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
      expect(forbidden.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      session.close();
    }
  });

  it('authenticates the front proxy from the raw header lines (repeated groups in order) and never trusts them without its certificate', async () => {
    const session = open(server.port, proxy);
    const plain = open(server.port, client);
    try {
      const res = await h2(session, FAST, { 'x-remote-user': 'fp-stream', 'x-remote-group': ['g-1', 'g-2'], 'x-remote-extra-scopes': 'read' });
      expect(res.status).toBe(200);
      const spec = sarSpecs(double).find((s) => s.user === 'fp-stream');
      expect(spec?.groups).toEqual(['g-1', 'g-2', 'system:authenticated']);
      expect(spec?.extra).toEqual({ scopes: ['read'] });
      const denied = await h2(session, FAST, { 'x-remote-user': 'mallory' });
      expect(denied.status).toBe(403);
      // A client certificate of the client CA: its own identity, the headers ignored.
      expect((await h2(plain, FAST, { 'x-remote-user': 'fp-spoofed' })).status).toBe(200);
      expect(sarSpecs(double).some((s) => s.user === 'fp-spoofed')).toBe(false);
    } finally {
      session.close();
      plain.close();
    }
  });

  it.skipIf(!findBinary('kubectl'))('serves kubectl (HTTP/2 through client-go) from the stream', async () => {
    const kubeconfig = writeCertKubeconfig(`${dir.path}/kubeconfig.json`, `https://localhost:${server.port}`, pki.servingCA.cert, client);
    compat.length = 0;
    const alpn: Array<string | false> = [];
    const onConnection = (socket: { alpnProtocol?: string | false }) => alpn.push(socket.alpnProtocol ?? false);
    h2server.on('secureConnection', onConnection);
    const { stdout } = await promisify(execFile)(findBinary('kubectl')!, ['--kubeconfig', kubeconfig, 'get', '--raw', FAST], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '' } });
    h2server.off('secureConnection', onConnection);
    expect(JSON.parse(stdout)).toMatchObject({ kind: 'MetricValueList', items: [{ metric: { name: 'fast' } }] });
    expect(alpn).toEqual(['h2']);
    // kubectl's own requests other than the GET (if any) would be listed here; the GET is not.
    expect(compat.filter((r) => r === `GET ${FAST}`)).toEqual([]);
    expect(sarSpecs(double).some((s) => s.user === 'hpa')).toBe(true);
  });

  it('answers 431 with a Status (not a reset) past the header limit, and the session keeps serving', async () => {
    const session = open(server.port, client);
    try {
      compat.length = 0;
      const big = await h2(session, FAST, { 'x-padding': Array.from({ length: 400 }, () => 'y'.repeat(2900)) });
      expect(big.status).toBe(431);
      expect(JSON.parse(big.body)).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 431 });
      expect(big.headers['content-type']).toBe('application/json');
      expect(big.headers['x-content-type-options']).toBe('nosniff');
      expect(Number(big.headers['content-length'])).toBe(Buffer.byteLength(big.body));
      expect(compat).toEqual([]);
      expect((await h2(session, FAST)).status).toBe(200);
    } finally {
      session.close();
    }
  });

  it('aborts the request when the client resets its stream (cancel or error code), and keeps the session', async () => {
    const session = open(server.port, client);
    try {
      for (const code of [constants.NGHTTP2_CANCEL, constants.NGHTTP2_INTERNAL_ERROR]) {
        const { started, aborted } = probe;
        const { stream, done } = send(session, HELD);
        done.catch(() => undefined);
        await until(() => probe.started === started + 1);
        stream.close(code);
        await until(() => probe.aborted === aborted + 1);
      }
      expect((await h2(session, FAST)).status).toBe(200);
      expect(compat).toEqual([]);
    } finally {
      session.close();
    }
  });

  it('keeps a stream in flight on the backend instance it started on while a reload replaces it', async () => {
    const session = open(server.port, client);
    try {
      const { started } = probe;
      const held = send(session, HELD).done;
      await until(() => probe.started === started + 1);
      const release = probe.release!;
      writeConfig(2);
      expect(await server.reload()).toMatchObject({ ok: true, reconfigured: ['probe'] });
      const value = (r: Res) => (JSON.parse(r.body) as { items: Array<{ value: string }> }).items[0].value;
      expect(value(await h2(session, FAST))).toBe('2');
      // The replaced instance is closed only once the stream pinned to it has finished (the
      // reload's dry run closes a generation-2 instance of its own).
      expect(probe.closed).not.toContain(1);
      release();
      expect(value(await held)).toBe('1');
      await until(() => probe.closed.includes(1));
    } finally {
      session.close();
    }
  });

  it('on shutdown sends GOAWAY and lets the streams in flight finish with their full answer', async () => {
    const session = open(server.port, client);
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const { started } = probe;
    const held = send(session, HELD).done;
    await until(() => probe.started === started + 1);
    const stopped = server.shutdown();
    await goaway;
    probe.release?.();
    const res = await held;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'MetricValueList', items: [{ metric: { name: 'held' } }] });
    await stopped;
    expect(session.closed || session.destroyed).toBe(true);
  });
});

describe('serveStreams', () => {
  it("takes over only node's own compatibility listener, and changes nothing when it cannot find it", () => {
    const handler = vi.fn();
    const plain = createHttp2Server({}, () => undefined);
    const compatListener = plain.listeners('stream')[0];
    expect(serveStreams(plain, () => true, handler)).toBe(true);
    expect(plain.listeners('stream')).toHaveLength(1);
    expect(plain.listeners('stream')[0]).not.toBe(compatListener);

    // Someone else listens to streams too: left as it is.
    const shared = createHttp2Server({}, () => undefined);
    const other = () => undefined;
    shared.on('stream', other);
    const before = shared.listeners('stream');
    expect(serveStreams(shared, () => true, handler)).toBe(false);
    expect(shared.listeners('stream')).toEqual(before);

    // No compatibility listener at all (no request listener yet).
    const bare = createHttp2Server({});
    expect(serveStreams(bare, () => true, handler)).toBe(false);
    expect(bare.listeners('stream')).toEqual([]);
    expect(handler).not.toHaveBeenCalled();
  });
});
