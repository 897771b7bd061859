import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/harness.js';

describe('memory backend write endpoint', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      config: {
        backends: [
          {
            name: 'mem',
            type: 'memory',
            config: { writeEndpoint: { enabled: true }, external: [{ name: 'queue_depth', series: [{ labels: { q: 'a' }, value: 1 }] }] },
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await s.close();
  });

  it('sets a namespaced object metric from a quantity and serves it', async () => {
    const w = await s.request('/write-metrics/namespaces/default/pods/sample-app-7cfb596f98-8h5bd/http_requests', { method: 'POST', body: '"300m"', headers: { 'content-type': 'application/json' } });
    expect(w.status).toBe(200);
    expect(JSON.parse(w.body)).toMatchObject({ kind: 'Status', status: 'Success' });
    const r = await s.getJSON('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/sample-app-7cfb596f98-8h5bd/http_requests');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ items: [{ describedObject: { kind: 'Pod', name: 'sample-app-7cfb596f98-8h5bd' }, value: '300m' }] });
    const list = await s.getJSON('/apis/custom.metrics.k8s.io/v1beta1');
    expect(list.json).toMatchObject({ resources: [{ name: 'pods/http_requests', namespaced: true }] });
  });

  it('sets cluster-scoped and external metrics', async () => {
    expect((await s.request('/write-metrics/nodes/node-1/load', { method: 'POST', body: '2.5' })).status).toBe(200);
    expect((await s.getJSON('/apis/custom.metrics.k8s.io/v1beta1/nodes/node-1/load')).json).toMatchObject({ items: [{ value: '2500m' }] });
    expect((await s.request('/write-metrics/external/queue_depth', { method: 'POST', body: '{"value":"7","labels":{"q":"b"}}' })).status).toBe(200);
    const ext = await s.getJSON('/apis/external.metrics.k8s.io/v1beta1/namespaces/x/queue_depth?labelSelector=q%3Db');
    expect(ext.json).toMatchObject({ items: [{ metricName: 'queue_depth', metricLabels: { q: 'b' }, value: '7' }] });
  });

  it('parses written quantities losslessly and refuses out-of-range ones with a 400 Status', async () => {
    const p = '/write-metrics/namespaces/default/pods/big/huge';
    const read = async () => ((await s.getJSON('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/big/huge')).json as { items: Array<{ value: string }> }).items[0]?.value;
    expect((await s.request(p, { method: 'POST', body: '"1e20"' })).status).toBe(200);
    expect(await read()).toBe('100E');
    expect((await s.request(p, { method: 'POST', body: '"8Ei"' })).status).toBe(200);
    expect(await read()).toBe('9223372036854775808');
    for (const body of ['"1e999"', '"-1e999"', '1e999']) {
      const res = await s.request(p, { method: 'POST', body });
      expect(res.status, body).toBe(400);
      expect(JSON.parse(res.body), body).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    }
    expect(JSON.parse((await s.request(p, { method: 'POST', body: '"1e999"' })).body).message).toContain('out of range');
    expect(await read()).toBe('9223372036854775808');
  });

  it('refuses bad bodies (400), anonymous users (401), other methods (405) and other shapes (404)', async () => {
    const p = '/write-metrics/namespaces/default/pods/p/m';
    expect((await s.request(p, { method: 'POST', body: 'not json' })).status).toBe(400);
    expect((await s.request(p, { method: 'POST', body: '"12xyz"' })).status).toBe(400);
    expect((await s.request(p, { method: 'POST', body: '{"value":1,"labels":{"a":1}}' })).status).toBe(400);
    expect((await s.request(p, { method: 'POST', body: '1', headers: { 'x-test-anonymous': '1' } })).status).toBe(401);
    expect((await s.request(p)).status).toBe(405);
    expect((await s.request('/write-metrics/a/b', { method: 'POST', body: '1' })).status).toBe(404);
  });
});

describe('memory backend write endpoint when disabled', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { backends: [{ name: 'mem', type: 'memory' }] } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('does not exist', async () => {
    const res = await s.request('/write-metrics/namespaces/default/pods/p/m', { method: 'POST', body: '1' });
    expect(res.status).toBe(404);
  });
});
