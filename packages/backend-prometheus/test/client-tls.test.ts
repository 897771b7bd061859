import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetricsError } from '@custom-metrics/core';
import { fakeBackendContext } from '@custom-metrics/core/testing';
import { HttpPrometheusClient } from '../src/client.js';
import { freePort, requireBinary, tempDir } from '../../../test-support/index.js';

const openssl = requireBinary('openssl', 'apt-get install openssl');

describe.skipIf(!openssl)('HttpPrometheusClient over TLS with a CA and a client certificate', () => {
  const dir = tempDir('prom-tls');
  const f = (n: string) => join(dir.path, n);
  let server: Server;
  let url: string;
  let lastClientCN: string | undefined;

  beforeAll(async () => {
    const run = (...args: string[]) => execFileSync(openssl as string, args, { cwd: dir.path, stdio: 'pipe' });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-ca');
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, cn, ext] of [['server', '127.0.0.1', true], ['client', 'custom-metrics', false]] as const) {
      run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...(ext ? ['-extfile', 'san.ext'] : []));
    }
    server = createServer(
      { key: readFileSync(f('server.key')), cert: readFileSync(f('server.crt')), ca: readFileSync(f('ca.crt')), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        lastClientCN = (req.socket as TLSSocket).getPeerCertificate().subject?.CN as string | undefined;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1700000000, '2'] } }));
      },
    );
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    url = `https://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    dir.remove();
  });

  it('verifies the server with caFile and presents certFile/keyFile', async () => {
    const c = new HttpPrometheusClient({
      url,
      timeoutMs: 2_000,
      tls: { caFile: f('ca.crt'), certFile: f('client.crt'), keyFile: f('client.key') },
      logger: fakeBackendContext().logger,
    });
    expect(await c.query('vector(2)', new AbortController().signal)).toEqual([{ labels: {}, value: 2, timestampMs: 1700000000000 }]);
    expect(lastClientCN).toBe('custom-metrics');
    c.close();
  });

  it('fails with 503 without the client certificate or with an unknown CA', async () => {
    for (const tls of [{ caFile: f('ca.crt') }, {}]) {
      const c = new HttpPrometheusClient({ url, timeoutMs: 2_000, tls, logger: fakeBackendContext().logger });
      try {
        await c.query('vector(2)', new AbortController().signal);
        expect.unreachable();
      } catch (e) {
        expect(isMetricsError(e) && e.code).toBe(503);
      }
      c.close();
    }
  });
});
