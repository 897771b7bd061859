// Client certificates across TLS connections, sessions and handshakes (issue 12.5): a chain with an
// intermediate authenticates on a resumed session (TLS 1.2 and 1.3), keep-alive requests reuse the
// identity verified for their connection, and each connection is verified for its own certificate.
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/index.js';
import type { RunningServer } from '../src/cli/serve.js';
import { KubeApiserverDouble } from './kube/apiserver-double.js';
import { issueCert, type TestCert } from './kube/certs.js';
import { createTestPki, sarSpecs, seedCluster, startSecureServer, type TestPki } from './support/secure-server.js';

const PATH = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests';

interface Exchange {
  statuses: number[];
  reused: boolean;
  session?: Buffer;
}

/** Sends `count` keep-alive HTTP/1.1 requests over one TLS connection and reads their status codes. */
function exchange(port: number, o: ConnectionOptions, count = 1): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let session: Buffer | undefined;
    let reused = false;
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...o }, () => {
      reused = socket.isSessionReused();
      for (let i = 0; i < count; i++) {
        const close = i === count - 1 ? 'Connection: close\r\n' : '';
        socket.write(`GET ${PATH} HTTP/1.1\r\nHost: localhost\r\n${close}\r\n`);
      }
    });
    socket.on('session', (s: Buffer) => (session = s));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const statuses = [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
      resolve({ statuses, reused, session });
    });
    setTimeout(() => socket.destroy(new Error('exchange timed out')), 10_000).unref();
  });
}

describe('client certificates and TLS sessions', () => {
  const dir = tempDir('tls-session');
  let double: KubeApiserverDouble;
  let pki: TestPki;
  let server: RunningServer;
  let chained: TestCert;
  let direct: TestCert;

  beforeAll(async () => {
    double = await KubeApiserverDouble.start();
    seedCluster(double);
    double.sarPolicy = () => ({ allowed: true });
    pki = createTestPki();
    const intermediate = issueCert(pki.clientCA, { commonName: 'client-intermediate', isCA: true });
    const leaf = issueCert(intermediate, { commonName: 'via-intermediate', organizations: ['team-i'] });
    chained = { cert: leaf.cert + intermediate.cert, key: leaf.key };
    direct = issueCert(pki.clientCA, { commonName: 'direct-user' });
    server = await startSecureServer(dir.path, double, pki, { clientCaFile: `${dir.path}/client-ca.crt`, requestheaderClientCaFile: `${dir.path}/front-proxy-ca.crt` });
  });

  afterAll(async () => {
    await server?.shutdown();
    await double?.close();
    dir.remove();
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`authenticates a certificate signed by an intermediate on a resumed ${version} session`, async () => {
      const opts: ConnectionOptions = { ca: pki.servingCA.cert, ...chained, minVersion: version, maxVersion: version };
      const first = await exchange(server.port, opts);
      expect(first.statuses).toEqual([200]);
      expect(first.session).toBeDefined();
      const resumed = await exchange(server.port, { ...opts, session: first.session });
      expect(resumed.reused).toBe(true);
      expect(resumed.statuses).toEqual([200]);
      expect(sarSpecs(double).some((s) => s.user === 'via-intermediate' && s.groups?.includes('team-i'))).toBe(true);
    });
  }

  it('serves every keep-alive request of a connection with the identity verified for it', async () => {
    const before = sarSpecs(double).length;
    const res = await exchange(server.port, { ca: pki.servingCA.cert, ...direct }, 5);
    expect(res.statuses).toEqual([200, 200, 200, 200, 200]);
    const specs = sarSpecs(double).slice(before);
    expect(specs.map((s) => s.user)).toContain('direct-user');
    expect(specs.every((s) => s.user === 'direct-user')).toBe(true);
  });

  it('verifies each connection for its own certificate: an unknown CA is refused, a known one accepted', async () => {
    const stranger = issueCert(pki.frontProxyCA, { commonName: 'stranger' });
    const bad = await exchange(server.port, { ca: pki.servingCA.cert, ...stranger }, 2);
    expect(bad.statuses).toEqual([401, 401]);
    const good = await exchange(server.port, { ca: pki.servingCA.cert, ...chained });
    expect(good.statuses).toEqual([200]);
    const anon = await exchange(server.port, { ca: pki.servingCA.cert });
    expect(anon.statuses).toEqual([200]);
  });
});
