import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/harness.js';
import { fixture } from '../../../test/support/fixtures.js';

const V1 = '/apis/metrics.k8s.io/v1beta1';

describe('metrics.k8s.io routes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('serves a single pod as the fixture', async () => {
    const res = await s.request(`${V1}/namespaces/default/pods/sample-app-7cfb596f98-8h5bd`);
    expect(res.status).toBe(200);
    expect(res.body).toBe(fixture('podmetrics-single.json'));
  });

  it('lists pods with a field selector, and omits pods without metrics', async () => {
    const one = await s.request(`${V1}/namespaces/default/pods?fieldSelector=metadata.name%3Dsample-app-7cfb596f98-8h5bd`);
    expect(one.body).toBe(fixture('podmetrics-list.json'));
    const all = await s.getJSON(`${V1}/pods`);
    const names = (all.json as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name);
    expect(names).toEqual(['sample-app-7cfb596f98-8h5bd', 'sample-app-7cfb596f98-x2k4l']);
    const selected = await s.getJSON(`${V1}/namespaces/default/pods?labelSelector=app%3Dother`);
    expect((selected.json as { items: unknown[] }).items).toEqual([]);
    const otherNs = await s.getJSON(`${V1}/namespaces/kube-system/pods`);
    expect(otherNs.json).toMatchObject({ kind: 'PodMetricsList', items: [] });
  });

  it('lists nodes (sorted, without those lacking metrics) and gets one', async () => {
    expect((await s.request(`${V1}/nodes`)).body).toBe(fixture('nodemetrics-list.json'));
    const one = await s.getJSON(`${V1}/nodes/node-1`);
    expect(one.json).toMatchObject({ kind: 'NodeMetrics', metadata: { name: 'node-1' } });
  });

  it('answers 404 Status for pods and nodes without metrics or unknown', async () => {
    const none = await s.request(`${V1}/namespaces/default/pods/other-pod`);
    expect(none.status).toBe(404);
    expect(JSON.parse(none.body)).toMatchObject({ reason: 'NotFound', details: { kind: 'podmetrics', group: 'metrics.k8s.io', name: 'default/other-pod' } });
    const pm = await s.request(`${V1}/namespaces/default/pods/sample-app-7cfb596f98-8h5bd`);
    expect(pm.status).toBe(200);
    const missing = await s.getJSON(`${V1}/namespaces/default/pods/ghost`);
    expect(missing.status).toBe(404);
    const node = await s.getJSON(`${V1}/nodes/node-2`);
    expect(node.json).toMatchObject({ reason: 'NotFound', details: { kind: 'nodemetrics' } });
  });

  it('answers metrics-server\'s watch 405 on lists, and ignores watch on a single GET', async () => {
    const pods = await s.getJSON(`${V1}/namespaces/default/pods?watch=true`);
    expect(pods.status).toBe(405);
    expect(pods.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'watch is not supported on resources of kind "pods.metrics.k8s.io"',
      reason: 'MethodNotAllowed',
      details: { group: 'metrics.k8s.io', kind: 'pods' },
      code: 405,
    });
    const nodes = await s.getJSON(`${V1}/nodes?watch=1`);
    expect(nodes.status).toBe(405);
    expect(nodes.json).toMatchObject({ message: 'watch is not supported on resources of kind "nodes.metrics.k8s.io"' });
    expect((await s.request(`${V1}/nodes/node-1?watch=true`)).status).toBe(200);
  });

  it('serves discovery and rejects unknown field selectors', async () => {
    expect((await s.request(V1)).body).toBe(fixture('discovery-metrics-v1beta1.json'));
    const bad = await s.getJSON(`${V1}/pods?fieldSelector=spec.nodeName%3Dx`);
    expect(bad.status).toBe(400);
    expect((await s.request(`${V1}/deployments`)).status).toBe(404);
  });
});

describe('metrics.k8s.io without a resource backend', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { backends: [{ name: 'm', type: 'memory' }] } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('is not served', async () => {
    expect((await s.request(`${V1}/pods`)).status).toBe(404);
    const apis = await s.getJSON('/apis');
    expect((apis.json as { groups: Array<{ name: string }> }).groups.map((g) => g.name)).toEqual(['custom.metrics.k8s.io', 'external.metrics.k8s.io']);
  });
});
