import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, defineBackendPlugin, type BackendRoute, type BackendRouteRequest } from '@custom-metrics/core';
import { startTestServer, type TestServer } from './support/harness.js';

describe('memory backend write endpoint (a backend route)', () => {
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
    const w = await s.request('/backends/mem/write/namespaces/default/pods/sample-app-7cfb596f98-8h5bd/http_requests', { method: 'POST', body: '"300m"', headers: { 'content-type': 'application/json' } });
    expect(w.status).toBe(200);
    expect(JSON.parse(w.body)).toMatchObject({ kind: 'Status', status: 'Success' });
    const r = await s.getJSON('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/sample-app-7cfb596f98-8h5bd/http_requests');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ items: [{ describedObject: { kind: 'Pod', name: 'sample-app-7cfb596f98-8h5bd' }, value: '300m' }] });
    const list = await s.getJSON('/apis/custom.metrics.k8s.io/v1beta1');
    expect(list.json).toMatchObject({ resources: [{ name: 'pods/http_requests', namespaced: true }] });
  });

  it('sets cluster-scoped and external metrics', async () => {
    expect((await s.request('/backends/mem/write/nodes/node-1/load', { method: 'POST', body: '2.5' })).status).toBe(200);
    expect((await s.getJSON('/apis/custom.metrics.k8s.io/v1beta1/nodes/node-1/load')).json).toMatchObject({ items: [{ value: '2500m' }] });
    expect((await s.request('/backends/mem/write/external/queue_depth', { method: 'POST', body: '{"value":"7","labels":{"q":"b"}}' })).status).toBe(200);
    const ext = await s.getJSON('/apis/external.metrics.k8s.io/v1beta1/namespaces/x/queue_depth?labelSelector=q%3Db');
    expect(ext.json).toMatchObject({ items: [{ metricName: 'queue_depth', metricLabels: { q: 'b' }, value: '7' }] });
  });

  it('parses written quantities losslessly and refuses out-of-range ones with a 400 Status', async () => {
    const p = '/backends/mem/write/namespaces/default/pods/big/huge';
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
    const p = '/backends/mem/write/namespaces/default/pods/p/m';
    expect((await s.request(p, { method: 'POST', body: 'not json' })).status).toBe(400);
    expect((await s.request(p, { method: 'POST', body: '"12xyz"' })).status).toBe(400);
    expect((await s.request(p, { method: 'POST', body: '{"value":1,"labels":{"a":1}}' })).status).toBe(400);
    expect((await s.request(p, { method: 'POST', body: '1', headers: { 'x-test-anonymous': '1' } })).status).toBe(401);
    expect((await s.request(p)).status).toBe(405);
    expect((await s.request('/backends/mem/write/a/b', { method: 'POST', body: '1' })).status).toBe(404);
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
    const res = await s.request('/backends/mem/write/namespaces/default/pods/p/m', { method: 'POST', body: '1' });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });
  });
});

describe('backend routes: the server hosts what a plugin contributes', () => {
  let s: TestServer;
  const seen: BackendRouteRequest[] = [];
  const echo = defineBackendPlugin({
    name: 'echo',
    configSchema: { type: 'object' },
    create: () => ({
      routes: [
        {
          method: 'GET',
          path: '/things/:id',
          handle: (req) => {
            seen.push(req);
            return { status: 200, body: { id: req.params.id, q: req.query.q ?? [], user: req.user.name } };
          },
        },
        { method: 'POST', path: '/things/:id', handle: async (req) => ({ status: 201, body: { got: await req.body(8) } }) },
        { method: 'PUT', path: '/broken', handle: () => ({ status: 404, body: 'nope' }) },
        {
          method: 'DELETE',
          path: '/throws',
          handle: () => {
            throw new BadRequestError('say which thing to delete');
          },
        },
      ] satisfies BackendRoute[],
    }),
  });
  beforeAll(async () => {
    s = await startTestServer({ plugins: { echo }, config: { backends: [{ name: 'e1', type: 'echo' }, { name: 'mem', type: 'memory', config: { writeEndpoint: { enabled: true } } }] } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('passes decoded params, the query and the user, and renders the answer as JSON', async () => {
    const r = await s.getJSON('/backends/e1/things/a%20b?q=1&q=2');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toEqual({ id: 'a b', q: ['1', '2'], user: 'tester' });
    expect(seen.at(-1)?.signal).toBeInstanceOf(AbortSignal);
    expect((await s.request('/backends/e1/things/a', { method: 'HEAD' })).status).toBe(200);
    const post = await s.request('/backends/e1/things/a', { method: 'POST', body: 'hello' });
    expect(post.status).toBe(201);
    expect(JSON.parse(post.body)).toEqual({ got: 'hello' });
  });

  it('answers Status objects: 404 unknown instance or path, 405 other method, 400 body over the limit, thrown errors, 500 for a non-2xx answer, 401 anonymous', async () => {
    const status = async (path: string, init?: Parameters<TestServer['request']>[1]) => {
      const res = await s.request(path, init);
      const body = JSON.parse(res.body) as { kind: string; code: number; message: string };
      expect(body.kind, path).toBe('Status');
      expect(body.code, path).toBe(res.status);
      return body;
    };
    expect((await status('/backends/nobody/things/a')).code).toBe(404);
    expect((await status('/backends/e1')).code).toBe(404);
    expect((await status('/backends/e1/things')).code).toBe(404);
    expect((await status('/backends/e1/things/a/b')).code).toBe(404);
    expect((await status('/backends/e1/things/a', { method: 'PATCH' })).code).toBe(405);
    expect(await status('/backends/e1/things/a', { method: 'POST', body: 'x'.repeat(9) })).toMatchObject({ code: 400, message: 'request body is larger than 8 bytes' });
    expect(await status('/backends/e1/throws', { method: 'DELETE' })).toMatchObject({ code: 400, message: 'say which thing to delete' });
    expect((await status('/backends/e1/broken', { method: 'PUT' })).code).toBe(500);
    expect((await status('/backends/e1/things/a', { headers: { 'x-test-anonymous': '1' } })).code).toBe(401);
  });

  it("keeps each instance's routes to itself: a write goes to the named memory instance", async () => {
    expect((await s.request('/backends/e1/write/external/q', { method: 'POST', body: '1' })).status).toBe(404);
    expect((await s.request('/backends/mem/write/external/q', { method: 'POST', body: '3' })).status).toBe(200);
    expect((await s.getJSON('/apis/external.metrics.k8s.io/v1beta1/namespaces/x/q')).json).toMatchObject({ items: [{ metricName: 'q', value: '3' }] });
  });

  it('refuses to start a plugin whose routes are malformed, as a config error of its type', async () => {
    const bad = defineBackendPlugin({ name: 'bad', configSchema: { type: 'object' }, create: () => ({ routes: [{ method: 'GET', path: 'no-slash', handle: () => ({ status: 200, body: {} }) }] }) });
    await expect(startTestServer({ plugins: { bad }, config: { backends: [{ name: 'b', type: 'bad' }] } })).rejects.toThrow(/backends\[0\]\.type: .*route path "no-slash" must start with "\/"/);
  });
});
