// Resilience of the server's lifecycle and connections (issue #12, items 1, 4, 5): SIGTERM under
// load drains HTTP/1.1 and HTTP/2 requests (the real binary), saturation refuses ordinary users
// but never system:masters (the aggregator), idle and silent connections are closed, headers up
// to 1 MiB are accepted and larger ones answered with a Status. Time bounds derive from the flags.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { request, type Agent } from 'node:https';
import { connect as netConnect, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, startProcess, tempDir, waitFor } from '../../../test-support/index.js';
import { startServer, type RunningServer } from '../src/cli/serve.js';
import type { ServerOptions } from '../src/config/types.js';
import { KubeApiserverDouble } from './kube/apiserver-double.js';
import { issueCert, type TestCert } from './kube/certs.js';
import { createTestPki, securityFlags, writePki, type TestPki } from './support/secure-server.js';
import { h2Request, type H2Answer } from './support/h2-client.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cliMain = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const slowPlugin = fileURLToPath(new URL('./fixtures/plugins/slow-plugin.mjs', import.meta.url));
const SLOW = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/slow';
const FAST = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/fast';
const DISCOVERY = '/apis/custom.metrics.k8s.io/v1beta1';

type Res = H2Answer;

interface Client {
  ca: string;
  cert?: string;
  key?: string;
}

/** One HTTP/1.1 request (its own connection unless `agent` is given). */
function h1(port: number, path: string, c: Client, o: { headers?: Record<string, string>; agent?: Agent } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca: c.ca, cert: c.cert, key: c.key, servername: 'localhost', agent: o.agent ?? false, headers: o.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function h2session(port: number, c: Client): ClientHttp2Session {
  const s = h2connect(`https://127.0.0.1:${port}`, { ca: c.ca, cert: c.cert, key: c.key, servername: 'localhost', maxSendHeaderBlockLength: 8 << 20 });
  s.on('error', () => undefined);
  return s;
}

/** One request over an HTTP/2 session. */
const h2 = (session: ClientHttp2Session, path: string, headers: Record<string, string> = {}): Promise<Res> => h2Request(session, path, headers);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const json = (r: Res) => JSON.parse(r.body) as { kind?: string; code?: number; reason?: string; message?: string; items?: Array<{ metric: { name: string } }> };

/** Resolves with the milliseconds until `emitter` emits `event`. */
function timeUntil(emitter: { once(e: string, f: () => void): unknown }, event: string): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve) => emitter.once(event, () => resolve(Date.now() - t0)));
}

function slowConfig(dir: string, delayMs: number, server: string[] = []): string {
  const file = `${dir}/config.yaml`;
  writeFileSync(
    file,
    [
      'server:',
      ...server.map((l) => `  ${l}`),
      'backends:',
      '  - name: slow',
      `    type: ${JSON.stringify(slowPlugin)}`,
      `    config: { delayMs: ${delayMs} }`,
      'standalone:',
      '  objects:',
      '    - { resource: pods, namespace: default, name: web-1, labels: { app: web } }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('SIGTERM under load: the real binary drains HTTP/1.1 and HTTP/2 requests, then exits 0', () => {
  const dir = tempDir('lifecycle-sigterm');
  let pki: TestPki;
  let admin: TestCert;
  let files: ReturnType<typeof writePki>;
  let client: Client;

  beforeAll(() => {
    // The root `npm test` builds first; build here too so the test never runs a stale binary.
    execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b', 'packages/server'], { cwd: root, stdio: 'pipe', timeout: 170_000 });
    expect(existsSync(cliMain)).toBe(true);
    pki = createTestPki();
    admin = issueCert(pki.clientCA, { commonName: 'admin', organizations: ['system:masters'] });
    files = writePki(dir.path, pki);
    client = { ca: pki.servingCA.cert, ...admin };
  }, 200_000);
  afterAll(() => dir.remove());

  async function start(delayMs: number, flags: string[]) {
    const port = await freePort();
    const config = slowConfig(dir.path, delayMs, ['logLevel: info']);
    const proc = startProcess(process.execPath, [
      cliMain,
      'serve',
      '--config', config,
      '--standalone',
      '--secure-port', String(port),
      '--bind-address', '127.0.0.1',
      '--tls-cert-file', files.servingCert,
      '--tls-private-key-file', files.servingKey,
      '--client-ca-file', files.clientCA,
      ...flags,
    ]);
    await waitFor('the server to be ready', async () => {
      if (proc.child.exitCode !== null) throw new Error(`server exited early:\n${proc.output()}`);
      return (await h1(port, '/readyz', client)).status === 200;
    }, 30_000, 200).catch((e: Error) => {
      throw new Error(`${e.message}\n--- output ---\n${proc.output()}`);
    });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => proc.child.once('exit', (code) => resolve({ code, at: Date.now() })));
    return { port, proc, exited };
  }

  it('fails /readyz for --shutdown-delay-duration, stops accepting, finishes every in-flight request with 200', async () => {
    const delaySeconds = 1;
    const timeoutSeconds = 20;
    const { port, proc, exited } = await start(3000, ['--shutdown-delay-duration', `${delaySeconds}s`, '--shutdown-timeout', `${timeoutSeconds}s`]);
    try {
      const sessions = [h2session(port, client), h2session(port, client)];
      const pending = [
        ...Array.from({ length: 4 }, () => h1(port, SLOW, client)),
        ...Array.from({ length: 4 }, () => h2(sessions[0], SLOW)),
        h2(sessions[1], SLOW),
      ];
      await sleep(1000);
      proc.child.kill('SIGTERM');
      const signalled = Date.now();

      // During the shutdown delay: /readyz fails (new connections are still accepted), /livez passes.
      const ready = await h1(port, '/readyz?verbose', client);
      expect(ready.status).toBe(500);
      expect(ready.body).toContain('[-]shutdown failed');
      expect((await h1(port, '/livez', client)).status).toBe(200);

      // Then the listener closes: new connections are refused while the requests still run.
      await waitFor('the listener to close', async () => h1(port, '/livez', client).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED'), (delaySeconds + 10) * 1000, 50);

      const results = await Promise.all(pending);
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(json(r).items?.[0].metric.name).toBe('slow');
      }
      const { code, at } = await exited;
      expect(code, proc.output()).toBe(0);
      expect(at - signalled).toBeGreaterThanOrEqual(delaySeconds * 1000);
      expect(at - signalled).toBeLessThan((delaySeconds + timeoutSeconds) * 1000);
      for (const s of sessions) s.close();
    } finally {
      await proc.stop('SIGKILL');
    }
  }, 60_000);

  it('bounds the drain by --shutdown-timeout: requests still running are cut and the process exits 0', async () => {
    const timeoutSeconds = 1;
    // The backend takes 60 s and the request deadline is 60 s: only the shutdown timeout ends them.
    const { port, proc, exited } = await start(60_000, ['--shutdown-timeout', `${timeoutSeconds}s`, '--request-timeout', '60s']);
    try {
      const session = h2session(port, client);
      const pending = [h1(port, SLOW, client), h2(session, SLOW)].map((p) => p.then((r) => (r.status === 0 ? 'cut' : r.status), () => 'cut'));
      await sleep(1000);
      proc.child.kill('SIGTERM');
      const signalled = Date.now();
      const { code, at } = await exited;
      expect(code, proc.output()).toBe(0);
      expect(at - signalled).toBeGreaterThanOrEqual(timeoutSeconds * 1000 - 100);
      expect(at - signalled).toBeLessThan((timeoutSeconds + 15) * 1000);
      expect(await Promise.all(pending)).toEqual(['cut', 'cut']);
      expect(proc.output()).toContain('shutdown timeout');
      session.destroy();
    } finally {
      await proc.stop('SIGKILL');
    }
  }, 60_000);
});

describe('saturation: --max-requests-inflight refuses ordinary users, never system:masters', () => {
  const dir = tempDir('lifecycle-saturation');
  let double: KubeApiserverDouble;
  let server: RunningServer;
  let proxy: Client;
  const user = (name: string, ...groups: string[]) => ({ 'X-Remote-User': name, ...(groups.length ? { 'X-Remote-Group': groups.join(',') } : {}) });

  beforeAll(async () => {
    double = await KubeApiserverDouble.start();
    double.sarPolicy = () => ({ allowed: true });
    const pki = createTestPki();
    const files = writePki(dir.path, pki);
    proxy = { ca: pki.servingCA.cert, ...issueCert(pki.frontProxyCA, { commonName: 'front-proxy-client' }) };
    const config = slowConfig(dir.path, 4000, ['logLevel: silent', 'maxRequestsInflight: 2', 'retryAfterSeconds: 3', 'shutdownTimeoutSeconds: 2']);
    server = await startServer(config, { ...securityFlags(files, double.writeKubeconfig(dir.path)) });
  });
  afterAll(async () => {
    await server?.shutdown();
    await double?.close();
    dir.remove();
  });

  it('answers 429 with Retry-After to alice while the aggregator (system:masters) still gets 200 over HTTP/1.1 and HTTP/2', async () => {
    const busy = [h1(server.port, SLOW, proxy, { headers: user('alice') }), h1(server.port, SLOW, proxy, { headers: user('bob') })];
    await sleep(1000);
    const refused = await h1(server.port, DISCOVERY, proxy, { headers: user('alice') });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('3');
    expect(json(refused)).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    // kube-aggregator's availability check and discovery: user system:kube-aggregator, group system:masters.
    const aggregator = user('system:kube-aggregator', 'system:masters');
    const probe = await h1(server.port, DISCOVERY, proxy, { headers: aggregator });
    expect(probe.status, probe.body).toBe(200);
    const session = h2session(server.port, proxy);
    try {
      const r = await h2(session, FAST, { 'x-remote-user': 'system:kube-aggregator', 'x-remote-group': 'system:masters' });
      expect(r.status, r.body).toBe(200);
      expect((await h2(session, FAST, { 'x-remote-user': 'alice' })).status).toBe(429);
    } finally {
      session.close();
    }
    expect((await h1(server.port, '/healthz', { ca: proxy.ca })).status).toBe(200);
    for (const r of await Promise.all(busy)) expect(r.status).toBe(200);
    // Saturation over: alice is served again; the server stayed up.
    expect((await h1(server.port, DISCOVERY, proxy, { headers: user('alice') })).status).toBe(200);
  }, 30_000);
});

describe('connections: timeouts, limits, no-delay and header sizes', () => {
  const dir = tempDir('lifecycle-conn');
  let server: RunningServer;
  let client: Client;
  const idleSeconds = 1;
  const firstRequestSeconds = 1;

  async function startWith(flags: Partial<ServerOptions>, delayMs = 2500): Promise<RunningServer> {
    const pki = createTestPki();
    const files = writePki(dir.path, pki);
    client = { ca: pki.servingCA.cert, ...issueCert(pki.clientCA, { commonName: 'admin', organizations: ['system:masters'] }) };
    const config = slowConfig(dir.path, delayMs, ['logLevel: silent', 'shutdownTimeoutSeconds: 2']);
    return startServer(config, {
      standalone: true,
      securePort: 0,
      bindAddress: '127.0.0.1',
      tlsCertFile: files.servingCert,
      tlsPrivateKeyFile: files.servingKey,
      clientCaFile: files.clientCA,
      ...flags,
    });
  }

  beforeAll(async () => {
    server = await startWith({ idleConnectionTimeoutSeconds: idleSeconds, firstRequestTimeoutSeconds: firstRequestSeconds });
  });
  afterAll(async () => {
    await server?.shutdown();
    dir.remove();
  });
  afterEach(() => vi.restoreAllMocks());

  const bound = (seconds: number) => (seconds + 10) * 1000;

  it('closes preface-only HTTP/2 sessions, silent TLS connections and stalled handshakes after --first-request-timeout, and keeps serving', async () => {
    const sessions = Array.from({ length: 30 }, () => h2session(server.port, client));
    const tlsSilent = Array.from({ length: 10 }, () => tlsConnect({ host: '127.0.0.1', port: server.port, ca: client.ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] }).on('error', () => undefined));
    const tcpSilent = Array.from({ length: 10 }, () => netConnect(server.port, '127.0.0.1').on('error', () => undefined));
    const closed = await Promise.all([...sessions.map((s) => timeUntil(s, 'close')), ...tlsSilent.map((s) => timeUntil(s, 'close')), ...tcpSilent.map((s) => timeUntil(s, 'close'))]);
    for (const ms of closed) {
      expect(ms).toBeGreaterThanOrEqual(firstRequestSeconds * 1000 * 0.5);
      expect(ms).toBeLessThan(bound(firstRequestSeconds));
    }
    expect((await h1(server.port, FAST, client)).status).toBe(200);
  }, 30_000);

  it('closes an idle HTTP/2 session with GOAWAY after --idle-connection-timeout, never while a request runs', async () => {
    const session = h2session(server.port, client);
    const goaway = timeUntil(session, 'goaway');
    // The backend takes 2.5 s, longer than the idle timeout: the session must stay.
    const slow = await h2(session, SLOW);
    expect(slow.status).toBe(200);
    expect(session.closed).toBe(false);
    const afterRequest = Date.now();
    await goaway;
    const idle = Date.now() - afterRequest;
    expect(idle).toBeGreaterThanOrEqual(idleSeconds * 1000 * 0.5);
    expect(idle).toBeLessThan(bound(idleSeconds));
    await waitFor('the session to close', async () => session.closed || session.destroyed, bound(idleSeconds));
  }, 30_000);

  it('closes an idle HTTP/1.1 keep-alive connection after --idle-connection-timeout', async () => {
    // A raw socket: Node's own client would close first (it honours `Keep-Alive: timeout=`).
    const socket = tlsConnect({ host: '127.0.0.1', port: server.port, ca: client.ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('secureConnect', r));
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const response = await new Promise<string>((r) => socket.once('data', (b: Buffer) => r(b.toString())));
    expect(response).toMatch(/^HTTP\/1.1 200/);
    expect(response).toMatch(/keep-alive/i);
    const ms = await timeUntil(socket, 'close');
    expect(ms).toBeGreaterThanOrEqual(idleSeconds * 1000 * 0.5);
    expect(ms).toBeLessThan(bound(idleSeconds));
  }, 30_000);

  it('sets TCP no-delay on every accepted socket (HTTP/1.1 and HTTP/2)', async () => {
    const spy = vi.spyOn(Socket.prototype, 'setNoDelay');
    expect((await h1(server.port, FAST, client)).status).toBe(200);
    const session = h2session(server.port, client);
    expect((await h2(session, FAST)).status).toBe(200);
    session.close();
    const serverSide = spy.mock.contexts.filter((s) => (s as Socket).localPort === server.port);
    expect(serverSide.length).toBeGreaterThanOrEqual(2);
    // No argument means enable; nothing may turn it off.
    for (const call of spy.mock.calls.filter((_, i) => (spy.mock.contexts[i] as Socket).localPort === server.port)) expect(call[0]).not.toBe(false);
  });

  it('accepts a 600 KB labelSelector over HTTP/1.1 and answers 431 with a Status past 1 MiB', async () => {
    const values = Array.from({ length: 60_000 }, (_, i) => `v${i}`);
    const selector = encodeURIComponent(`app in (web,${values.join(',')})`);
    expect(selector.length).toBeGreaterThan(500_000);
    const ok = await h1(server.port, `${FAST}?labelSelector=${selector}`, client);
    expect(ok.status, ok.body.slice(0, 300)).toBe(200);
    expect(json(ok).items?.length).toBe(1);

    const big = await h1(server.port, FAST, client, { headers: { 'x-padding': 'x'.repeat(1_500_000) } });
    expect(big.status).toBe(431);
    expect(big.headers['content-type']).toBe('application/json');
    expect(json(big)).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 431 });
    expect(json(big).message).toContain(String(1 << 20));
    expect((await h1(server.port, '/healthz', client)).status).toBe(200);
  }, 30_000);

  it('accepts a 60 KB labelSelector over HTTP/2 and answers 431 with a Status (not a reset) past 1 MiB', async () => {
    const session = h2session(server.port, client);
    try {
      const values = Array.from({ length: 8_000 }, (_, i) => `v${i}`);
      const ok = await h2(session, `${FAST}?labelSelector=${encodeURIComponent(`app in (web,${values.join(',')})`)}`);
      expect(ok.status, ok.body.slice(0, 300)).toBe(200);
      // nghttp2 takes at most 64 KiB per field and 8 CONTINUATION frames per block: a header
      // list past 1 MiB is one field repeated, sent as HPACK dynamic-table references.
      const big = await h2(session, FAST, { 'x-padding': Array.from({ length: 400 }, () => 'y'.repeat(2900)) } as unknown as Record<string, string>);
      expect(big.status).toBe(431);
      expect(json(big)).toMatchObject({ kind: 'Status', code: 431 });
      expect((await h2(session, '/healthz')).status).toBe(200);
    } finally {
      session.close();
    }
  }, 30_000);

  it('closes new connections past --max-unauthenticated-connections at once, while a session that sent requests keeps working', async () => {
    const small = await startWith({ maxUnauthenticatedConnections: 4, firstRequestTimeoutSeconds: 60 });
    const silent: Socket[] = [];
    try {
      const session = h2session(small.port, client);
      expect((await h2(session, FAST)).status).toBe(200);
      for (let i = 0; i < 4; i++) {
        const s = netConnect(small.port, '127.0.0.1').on('error', () => undefined);
        silent.push(s);
        await new Promise((r) => s.once('connect', r));
      }
      // The fifth silent connection is over the limit: closed at once (long before the 60 s timeout).
      const fifth = netConnect(small.port, '127.0.0.1').on('error', () => undefined);
      expect(await timeUntil(fifth, 'close')).toBeLessThan(10_000);
      await expect(h1(small.port, FAST, client)).rejects.toThrow();
      expect((await h2(session, FAST)).status).toBe(200);
      for (const s of silent) s.destroy();
      await waitFor('room for a new connection', async () => h1(small.port, FAST, client).then((r) => r.status === 200, () => false), 10_000, 100);
      session.close();
    } finally {
      for (const s of silent) s.destroy();
      await small.shutdown();
    }
  }, 30_000);

  it('closes connections past --max-connections at once and serves again when there is room', async () => {
    const small = await startWith({ maxConnections: 2 });
    try {
      const held = [h2session(small.port, client), h2session(small.port, client)];
      for (const s of held) expect((await h2(s, FAST)).status).toBe(200);
      await expect(h1(small.port, FAST, client)).rejects.toThrow();
      for (const s of held) expect((await h2(s, FAST)).status).toBe(200);
      await Promise.all(held.map((s) => new Promise((r) => s.close(() => r(undefined)))));
      await waitFor('a free connection slot', async () => h1(small.port, FAST, client).then((r) => r.status === 200, () => false), 10_000, 100);
    } finally {
      await small.shutdown();
    }
  }, 30_000);
});
