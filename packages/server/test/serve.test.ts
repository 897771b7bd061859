import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/index.js';
import { startServer, type RunningServer } from '../src/cli/serve.js';

function get(port: number, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve (TLS, real security, standalone)', () => {
  const dir = tempDir('serve');
  let server: RunningServer;
  beforeAll(async () => {
    const file = `${dir.path}/config.yaml`;
    writeFileSync(
      file,
      [
        'server:',
        '  securePort: 0',
        '  bindAddress: 127.0.0.1',
        `  certDir: ${dir.path}/certs`,
        '  logLevel: silent',
        '  shutdownTimeoutSeconds: 2',
        'backends:',
        '  - name: mem',
        '    type: memory',
        '    config:',
        '      custom:',
        '        - { resource: pods, metric: rps, default: 1 }',
        'standalone:',
        '  objects:',
        '    - { resource: pods, namespace: default, name: web-1 }',
        '',
      ].join('\n'),
    );
    server = await startServer(file, { standalone: true });
  });
  afterAll(async () => {
    await server?.shutdown();
    dir.remove();
  });

  it('serves health over TLS with a self-signed certificate', async () => {
    const res = await get(server.port, '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok');
  });

  it('authorizes API requests: anonymous is forbidden without an authorizer, as a Status', async () => {
    const res = await get(server.port, '/apis/custom.metrics.k8s.io/v1beta1');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves HTTP/2 (ALPN h2) too, with Status bodies', async () => {
    const session = connect(`https://127.0.0.1:${server.port}`, { rejectUnauthorized: false });
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = session.request({ ':path': '/apis/custom.metrics.k8s.io/v1beta1/nope' });
        let status = 0;
        let body = '';
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => resolve({ status, body }));
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(403);
      expect(JSON.parse(body)).toMatchObject({ kind: 'Status', code: 403 });
      const health = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ':path': '/livez' });
        req.on('response', (h) => resolve(Number(h[':status'])));
        req.on('error', reject);
        req.end();
      });
      expect(health).toBe(200);
    } finally {
      session.close();
    }
  });

  it('shuts down gracefully and stops accepting', async () => {
    await server.shutdown();
    await expect(get(server.port, '/healthz')).rejects.toThrow();
  });
});
