// The TLS serving layer (contract §7.1): a self-signed certificate kept in --cert-dir with the
// expected SANs, TLS ≥ 1.2, a client certificate requested but not required, and a given
// certificate reloaded when its files change (a half-written pair is not taken).
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../test-support/index.js';
import { createSecureServer, type SecureServer } from '../src/tls/serving.js';
import { SELF_SIGNED_FILES, generateSelfSignedCert } from '../src/tls/self-signed.js';
import { createCA, issueCert } from './kube/certs.js';

const servers: SecureServer[] = [];
const dirs: Array<{ remove(): void }> = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) d.remove();
});

/** A handler answering with the CN of the client certificate, if any. */
const whoami = (req: { socket: unknown }, res: { end(s: string): void }) => {
  const peer = (req.socket as TLSSocket).getPeerCertificate?.();
  res.end(peer && peer.subject ? String(peer.subject.CN) : 'anonymous');
};

async function start(options: Parameters<typeof createSecureServer>[0]): Promise<{ server: SecureServer; port: number }> {
  const server = createSecureServer({ http2: false, ...options }, whoami as never);
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

/** Opens a TLS connection, sends one HTTP/1.1 GET, and returns the peer certificate and body. */
function get(port: number, opts: { cert?: string; key?: string; maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' } = {}): Promise<{ peer: PeerCertificate; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...opts }, () => {
      const peer = socket.getPeerCertificate();
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('end', () => resolve({ peer, body: data.split('\r\n\r\n').slice(1).join('') }));
    });
    socket.on('error', reject);
  });
}

const fingerprint = (pem: string) => createHash('sha256').update(pem).digest('hex');

describe('TLS serving', () => {
  it('generates a self-signed certificate into --cert-dir with localhost, 127.0.0.1 and the service names, and reuses it', async () => {
    const dir = tempDir('certdir');
    dirs.push(dir);
    const first = await start({ certDir: dir.path, servingNames: ['cms.metrics.svc'] });
    expect(existsSync(join(dir.path, SELF_SIGNED_FILES.cert))).toBe(true);
    const { peer, body } = await get(first.port);
    expect(body).toContain('anonymous');
    expect((peer.subjectaltname ?? '').split(', ').sort()).toEqual(['DNS:cms.metrics.svc', 'DNS:localhost', 'IP Address:127.0.0.1']);
    const second = await start({ certDir: dir.path, servingNames: ['cms.metrics.svc'] });
    expect(second.server.fingerprint).toBe(first.server.fingerprint);
  });

  it('refuses TLS 1.1 and accepts 1.2', async () => {
    const dir = tempDir('certdir');
    dirs.push(dir);
    const { port } = await start({ certDir: dir.path });
    await expect(get(port, { maxVersion: 'TLSv1.1' })).rejects.toThrow();
    await expect(get(port, { maxVersion: 'TLSv1.2' })).resolves.toMatchObject({ body: expect.stringContaining('anonymous') });
  });

  it('requests a client certificate without requiring one', async () => {
    const dir = tempDir('certdir');
    dirs.push(dir);
    const { port } = await start({ certDir: dir.path });
    const ca = createCA('client-ca');
    const client = issueCert(ca, { commonName: 'alice', organizations: ['team'] });
    expect((await get(port, client)).body).toContain('alice');
    expect((await get(port)).body).toContain('anonymous');
  });

  it('reloads --tls-cert-file/--tls-private-key-file when they change, and ignores a mismatched pair', async () => {
    const dir = tempDir('certfiles');
    dirs.push(dir);
    const certFile = join(dir.path, 'tls.crt');
    const keyFile = join(dir.path, 'tls.key');
    const a = generateSelfSignedCert(['localhost', '127.0.0.1']);
    writeFileSync(certFile, a.cert);
    writeFileSync(keyFile, a.key);
    const { server, port } = await start({ tlsCertFile: certFile, tlsPrivateKeyFile: keyFile, reloadIntervalMs: 50 });
    expect(server.fingerprint).toBe(fingerprint(a.cert));
    const before = (await get(port)).peer.fingerprint256;

    const b = generateSelfSignedCert(['localhost', '127.0.0.1'], Date.now() + 1000);
    writeFileSync(certFile, b.cert); // the key is still a's: not a pair, keep serving a
    expect(server.reload()).toBe(false);
    expect((await get(port)).peer.fingerprint256).toBe(before);

    writeFileSync(keyFile, b.key);
    await waitFor('the new certificate to be served', async () => (await get(port)).peer.fingerprint256 !== before, 10_000, 50);
    expect(server.fingerprint).toBe(fingerprint(b.cert));
  });

  it('wants the certificate and key files together', () => {
    expect(() => createSecureServer({ tlsCertFile: '/x.crt' }, whoami as never)).toThrow(/together/);
  });
});

describe('draining (close) over HTTP/1.1', () => {
  /** Answers `/quick` at once; holds every other request until the test releases it. */
  function holdingServer(certDir: string): { server: SecureServer; held: Array<{ path: string; res: { end(s: string): void } }> } {
    const held: Array<{ path: string; res: { end(s: string): void } }> = [];
    const server = createSecureServer({ certDir }, ((req: { url: string }, res: { end(s: string): void }) => {
      if (req.url === '/quick') res.end('quick');
      else held.push({ path: req.url, res });
    }) as never);
    return { server, held };
  }

  function open(port: number): Promise<TLSSocket & { text(): string }> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => resolve(Object.assign(socket, { text: () => data })));
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (data += d));
      socket.on('error', reject);
    });
  }

  const responses = (text: string) => text.split('HTTP/1.1 ').slice(1);

  it('closes idle connections at once, and a busy one after its last response, which alone says Connection: close', async () => {
    const dir = tempDir('tls-drain');
    dirs.push(dir);
    const { server, held } = holdingServer(dir.path);
    const { port } = await server.listen(0, '127.0.0.1');
    const idle = await open(port);
    idle.write('GET /quick HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the quick answer', async () => idle.text().includes('quick'), 5_000, 10);
    const busy = await open(port);
    busy.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('both pipelined requests in progress', async () => held.length === 2, 5_000, 10);

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    const idleClosed = new Promise((resolve) => idle.once('close', resolve));
    await idleClosed;
    expect(busy.destroyed).toBe(false);

    held[0].res.end('one');
    await waitFor('the first response', async () => busy.text().includes('one'), 5_000, 10);
    expect(held.map((h) => h.path)).toEqual(['/first', '/second']);
    expect(responses(busy.text())[0]).not.toMatch(/connection: close/i);
    expect(closed).toBe(false);

    const busyClosed = new Promise((resolve) => busy.once('close', resolve));
    held[1].res.end('two');
    await busyClosed;
    const [first, second] = responses(busy.text());
    expect(first).toMatch(/one$/);
    expect(second).toMatch(/^200 OK/);
    expect(second).toMatch(/connection: close/i);
    expect(second).toMatch(/two$/);
    await closing;
    expect(closed).toBe(true);
  });
});
