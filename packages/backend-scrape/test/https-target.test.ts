import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, tempDir } from '../../../test-support/index.js';
import { fetchMetrics, ScrapeError } from '../src/scrape/fetch-metrics.js';

const openssl = requireBinary('openssl', 'apt-get install openssl');

describe.skipIf(!openssl)('https targets with a self-signed certificate', () => {
  const dir = tempDir('scrape-https');
  let server: Server;
  let url = '';
  beforeAll(async () => {
    const key = join(dir.path, 'k.pem');
    const cert = join(dir.path, 'c.pem');
    execFileSync(openssl as string, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-days', '1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
    server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('up 1\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    dir.remove();
  });

  it('refuses an unverifiable certificate by default, as a connection error', async () => {
    const e = await fetchMetrics(url, { timeoutMs: 5000, maxBytes: 1024 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ScrapeError);
    expect((e as ScrapeError).kind).toBe('connection');
  });

  it('scrapes it with insecureSkipVerify', async () => {
    const r = await fetchMetrics(url, { timeoutMs: 5000, maxBytes: 1024, insecureSkipVerify: true });
    expect(r.body).toBe('up 1\n');
  });
});
