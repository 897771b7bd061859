import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const POD_METRIC = '/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests';

describe('headers on every response (auditId, cacheControl)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('sets Cache-Control: no-cache, private on answers, errors and unknown routes', async () => {
    for (const [path, status] of [
      [POD_METRIC, 200],
      ['/apis', 200],
      ['/healthz', 200],
      ['/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/nope', 404],
      ['/nowhere', 404],
      [`${POD_METRIC}?labelSelector=a+in+b`, 400],
    ] as const) {
      const res = await s.request(path);
      expect(res.status, path).toBe(status);
      expect(res.headers['cache-control'], path).toBe('no-cache, private');
    }
  });

  it('gives each request a fresh UUID Audit-Id and logs it with the request', async () => {
    const a = await s.request(POD_METRIC);
    const b = await s.request('/nowhere');
    const idA = a.headers['audit-id'] as string;
    const idB = b.headers['audit-id'] as string;
    expect(idA).toMatch(UUID);
    expect(idB).toMatch(UUID);
    expect(idA).not.toBe(idB);
    const logged = s.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    expect(logged.find((l) => l.auditID === idA)).toMatchObject({ path: POD_METRIC, status: 200 });
    expect(logged.find((l) => l.auditID === idB)).toMatchObject({ path: '/nowhere', status: 404 });
  });

  it('honours an incoming Audit-ID (as kube-apiserver forwards it), logging at most 64 characters', async () => {
    const res = await s.request(POD_METRIC, { headers: { 'Audit-ID': 'aggregator-chosen-id' } });
    expect(res.headers['audit-id']).toBe('aggregator-chosen-id');
    const long = 'x'.repeat(100);
    const res2 = await s.request('/apis', { headers: { 'audit-id': long } });
    expect(res2.headers['audit-id']).toBe(long);
    const logged = s.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.some((l) => l.auditID === 'aggregator-chosen-id')).toBe(true);
    expect(logged.some((l) => l.auditID === 'x'.repeat(64))).toBe(true);
  });

  it('replaces a non-ASCII Audit-ID (obs-text the parser lets through) by a fresh UUID', async () => {
    const port = new URL(s.url).port;
    const raw = await new Promise<string>((resolve, reject) => {
      const sock = connect(Number(port), '127.0.0.1', () => {
        sock.write(Buffer.concat([Buffer.from('GET /apis HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAudit-ID: caf'), Buffer.from([0xe9]), Buffer.from('\r\n\r\n')]));
      });
      const chunks: Buffer[] = [];
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
      sock.on('error', reject);
    });
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(/\r\naudit-id: ([^\r]*)\r\n/i.exec(raw)?.[1]).toMatch(UUID);
  });
});
