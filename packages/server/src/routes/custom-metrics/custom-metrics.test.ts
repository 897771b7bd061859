import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/harness.js';
import { fixture } from '../../../test/support/fixtures.js';

const V1 = '/apis/custom.metrics.k8s.io/v1beta1';
const V2 = '/apis/custom.metrics.k8s.io/v1beta2';

describe('custom.metrics.k8s.io routes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('serves a wildcard pods metric exactly as the v1beta1 fixture (with %2A and the aggregator query encoding)', async () => {
    const res = await s.request(`${V1}/namespaces/default/pods/%2A/http_requests?labelSelector=app%3Dsample-app`);
    expect(res.status).toBe(200);
    expect(res.body).toBe(fixture('custom-v1beta1-pods-list.json'));
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the same request in v1beta2 and accepts a literal *', async () => {
    const res = await s.request(`${V2}/namespaces/default/pods/*/http_requests?labelSelector=app%3Dsample-app`);
    expect(res.body).toBe(fixture('custom-v1beta2-pods-list.json'));
  });

  it('filters wildcard requests by labelSelector', async () => {
    const res = await s.getJSON(`${V2}/namespaces/default/pods/*/http_requests?labelSelector=app%3Dother`);
    expect(res.status).toBe(200);
    expect(res.body).toBe(fixture('custom-v1beta2-empty-list.json'));
  });

  it('serves a single object with a metric selector in both versions', async () => {
    const path = '/namespaces/default/deployments.apps/sample-app/http_requests_total?metricLabelSelector=verb%3DGET';
    expect((await s.request(`${V2}${path}`)).body).toBe(fixture('custom-v1beta2-object.json'));
    expect((await s.request(`${V1}${path}`)).body).toBe(fixture('custom-v1beta1-object.json'));
  });

  it('ignores labelSelector for a named object', async () => {
    const res = await s.getJSON(`${V2}/namespaces/default/deployments.apps/sample-app/http_requests_total?labelSelector=app%3Dnope&metricLabelSelector=verb%3DGET`);
    expect(res.body).toBe(fixture('custom-v1beta2-object.json'));
  });

  it('rewrites namespaces/{ns}/metrics/{m} to the namespace object', async () => {
    const res = await s.request(`${V2}/namespaces/default/metrics/queue_length?metricLabelSelector=queue%3Dorders`);
    expect(res.body).toBe(fixture('custom-v1beta2-namespace-metric.json'));
  });

  it('serves root-scoped wildcards with a window', async () => {
    const res = await s.request(`${V1}/nodes/%2A/node_load1`);
    expect(res.body).toBe(fixture('custom-v1beta1-nodes-list.json'));
  });

  it('answers 400 invalid request path for namespaces/{ns}/{metric}', async () => {
    const res = await s.request(`${V1}/namespaces/default/queue_length`);
    expect(res.status).toBe(400);
    expect(res.body).toBe(fixture('status-badrequest-path.json'));
  });

  it('answers the go-restful 404 for other shapes and unknown versions', async () => {
    for (const p of [`${V1}/a/b/c/d`, `${V1}/pods/x`, `${V1}/a/b/c/d/e`, `${V1}/namespaces/a/b/c/d/e`, '/apis/custom.metrics.k8s.io/v2/pods/x/y', `${V1}//x/y`]) {
      const res = await s.request(p);
      expect(res.status, p).toBe(404);
      expect(res.body, p).toBe(fixture('status-notfound-route.json'));
    }
  });

  it('answers 405 for another method on a route', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await s.request(`${V1}/namespaces/default/pods/*/http_requests`, { method });
      expect(res.status).toBe(405);
      expect(res.body).toBe(fixture('status-methodnotallowed.json'));
    }
    expect((await s.request(`${V1}/namespaces/default/queue_length`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 400 for a bad labelSelector with the parser message', async () => {
    const res = await s.request(`${V1}/namespaces/default/pods/*/http_requests?labelSelector=app+in+sample-app`);
    expect(res.status).toBe(400);
    expect(res.body).toBe(fixture('status-badrequest-selector.json'));
  });

  it('answers 400 (not upstream 500) for a bad metricLabelSelector', async () => {
    const res = await s.getJSON(`${V1}/namespaces/default/pods/*/http_requests?metricLabelSelector=a%3D%3D%3Db`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  });

  it('answers 400 for a fieldSelector naming another object', async () => {
    const res = await s.getJSON(`${V1}/namespaces/default/deployments.apps/sample-app/http_requests_total?fieldSelector=metadata.name%3Dother`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ message: "fieldSelector metadata.name doesn't match requested name" });
  });

  it('answers 404 for a namespaced resource on the cluster-scoped route instead of listing every namespace', async () => {
    for (const v of [V1, V2]) {
      for (const name of ['*', '%2A', 'some-pod']) {
        const res = await s.getJSON(`${v}/pods/${name}/http_requests`);
        expect(res.status, `${v} ${name}`).toBe(404);
        expect(res.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
        const message = (res.json as { message: string }).message;
        expect(message.startsWith('the server could not find the metric http_requests for pods: ')).toBe(true);
        expect(message).toContain('namespaces/<namespace>/pods/');
      }
    }
    // Cluster-scoped resources keep their route.
    expect((await s.request(`${V1}/nodes/*/node_load1`)).status).toBe(200);
  });

  it('answers 400 for a malformed or unsupported fieldSelector, and accepts one naming the object', async () => {
    const base = `${V1}/namespaces/default/pods/*/http_requests?labelSelector=app%3Dsample-app`;
    for (const [fs, message] of [
      ['nonsense', 'invalid field selector: "nonsense": expected field=value, field==value or field!=value'],
      ['spec.nodeName%3Dn1', 'field label not supported: spec.nodeName (supported: metadata.name, metadata.namespace)'],
      ['metadata.namespace%3Ddefault', "fieldSelector metadata.name doesn't match requested name"],
      ['metadata.name!%3D*', "fieldSelector metadata.name doesn't match requested name"],
    ]) {
      const res = await s.getJSON(`${base}&fieldSelector=${fs}`);
      expect(res.status, fs).toBe(400);
      expect(res.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message });
    }
    const ok = await s.request(`${base}&fieldSelector=metadata.name%3D*`);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(fixture('custom-v1beta1-pods-list.json'));
  });

  it('answers the watch 405 Status for watch=true (nothing here streams)', async () => {
    for (const q of ['watch=true', 'watch=1', 'watch']) {
      const res = await s.getJSON(`${V2}/namespaces/default/pods/*/http_requests?${q}`);
      expect(res.status, q).toBe(405);
      expect(res.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'watch is not supported on resources of kind "*.custom.metrics.k8s.io"',
        reason: 'MethodNotAllowed',
        details: { group: 'custom.metrics.k8s.io', kind: '*' },
        code: 405,
      });
    }
    expect((await s.request(`${V2}/namespaces/default/pods/*/http_requests?watch=false`)).status).toBe(200);
  });

  it('answers 404 Status for an unknown metric and for an object without it', async () => {
    const unknown = await s.getJSON(`${V1}/namespaces/default/pods/*/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the metric nope for pods', reason: 'NotFound', code: 404 });
    const missing = await s.getJSON(`${V1}/namespaces/default/pods/other-pod/http_requests`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ message: 'the server could not find the metric http_requests for pods other-pod' });
  });

  it('pretty-prints for ?pretty=true and for curl', async () => {
    const pretty = await s.request(`${V1}/nodes/*/node_load1?pretty=true`);
    expect(pretty.body).toBe(JSON.stringify(JSON.parse(fixture('custom-v1beta1-nodes-list.json')), null, 2));
    const curl = await s.request(`${V1}/nodes/*/node_load1`, { headers: { 'user-agent': 'curl/8.0' } });
    expect(curl.body).toBe(pretty.body);
    const forced = await s.request(`${V1}/nodes/*/node_load1?pretty=0`, { headers: { 'user-agent': 'curl/8.0' } });
    expect(forced.body).toBe(fixture('custom-v1beta1-nodes-list.json'));
  });

  it('serves discovery: the group and both versions with the real metric lists', async () => {
    expect((await s.request('/apis/custom.metrics.k8s.io')).body).toBe(fixture('discovery-group-custom.json'));
    expect((await s.request(V1)).body).toBe(fixture('discovery-custom-v1beta1.json'));
    expect((await s.request(V2)).body).toBe(fixture('discovery-custom-v1beta2.json'));
  });
});

describe('custom.metrics.k8s.io without metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { backends: [{ name: 'empty', type: 'memory' }] } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('lists no resources and answers the exact metric-not-found Status', async () => {
    expect((await s.request(V1)).body).toBe(fixture('discovery-custom-v1beta1-empty.json'));
    const res = await s.request(`${V1}/namespaces/default/pods/*/http_requests`);
    expect(res.status).toBe(404);
    expect(res.body).toBe(fixture('status-notfound-metric.json'));
  });

  it('answers the cluster-scope 404 for a metric nobody lists, using the cluster\'s discovery', async () => {
    const res = await s.getJSON(`${V1}/pods/*/http_requests`);
    expect(res.status).toBe(404);
    expect((res.json as { message: string }).message).toContain('pods is a namespaced resource');
    const nodes = await s.getJSON(`${V1}/nodes/*/node_load1`);
    expect(nodes.status).toBe(404);
    expect(nodes.json).toMatchObject({ message: 'the server could not find the metric node_load1 for nodes' });
  });
});
