import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/harness.js';
import { fixture } from '../../../test/support/fixtures.js';
import { acceptsAggregatedV2, AGGREGATED_V2_MEDIA_TYPE } from './accept.js';

interface APIResourceList {
  groupVersion: string;
  resources: Array<{ name: string; namespaced: boolean; kind: string; verbs: string[] }>;
}

describe('discovery', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('serves /apis like custom-metrics-apiserver (custom advertised as v1beta1), without serverAddressByClientCIDRs', async () => {
    const res = await s.getJSON('/apis');
    expect(res.status).toBe(200);
    const expected = JSON.parse(fixture('discovery-apis.json')) as { groups: Array<Record<string, unknown>> };
    for (const g of expected.groups) delete g.serverAddressByClientCIDRs;
    const groups = (res.json as { groups: unknown[] }).groups;
    expect(res.json).toMatchObject({ kind: 'APIGroupList', apiVersion: 'v1' });
    expect(groups.slice(0, 2)).toEqual(expected.groups);
    expect(groups[2]).toMatchObject({ name: 'metrics.k8s.io', preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1' } });
  });

  it('serves aggregated discovery v2 for the v2 Accept header, with its Content-Type', async () => {
    const res = await s.request('/apis', { headers: { accept: `${AGGREGATED_V2_MEDIA_TYPE},application/json` } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(AGGREGATED_V2_MEDIA_TYPE);
    const doc = JSON.parse(res.body) as { kind: string; apiVersion: string; items: Array<{ metadata: { name: string } }> };
    expect(doc.kind).toBe('APIGroupDiscoveryList');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2');
    const expected = JSON.parse(fixture('discovery-aggregated-v2.json')) as { items: Array<{ metadata: { name: string } }> };
    for (const item of expected.items) {
      const got = doc.items.find((i) => i.metadata.name === item.metadata.name);
      expect(got, item.metadata.name).toEqual(item);
    }
    expect(doc.items.map((i) => i.metadata.name)).toContain('metrics.k8s.io');
  });

  it('keeps the namespaced flag consistent per resource and every listed metric servable', async () => {
    for (const version of ['v1beta1', 'v1beta2']) {
      const list = (await s.getJSON(`/apis/custom.metrics.k8s.io/${version}`)).json as APIResourceList;
      const scope = new Map<string, boolean>();
      for (const r of list.resources) {
        const [resource, metric] = r.name.split('/');
        expect(scope.get(resource) ?? r.namespaced).toBe(r.namespaced);
        scope.set(resource, r.namespaced);
        const path =
          resource === 'namespaces'
            ? `namespaces/default/metrics/${metric}`
            : r.namespaced
              ? `namespaces/default/${resource}/*/${metric}`
              : `${resource}/*/${metric}`;
        const res = await s.getJSON(`/apis/custom.metrics.k8s.io/${version}/${path}`);
        expect(res.status, path).toBe(200);
      }
    }
    const ext = (await s.getJSON('/apis/external.metrics.k8s.io/v1beta1')).json as APIResourceList;
    for (const r of ext.resources) expect((await s.request(`/apis/external.metrics.k8s.io/v1beta1/namespaces/default/${r.name}`)).status).toBe(200);
  });

  it('answers 404 Status for unknown groups, 405 for POST /apis', async () => {
    for (const p of ['/apis/apps', '/api', '/', '/apis/', '/APIS']) {
      const res = await s.request(p);
      expect(res.status, p).toBe(404);
      expect(res.body, p).toBe(fixture('status-notfound-route.json'));
    }
    expect((await s.request('/apis', { method: 'POST' })).body).toBe(fixture('status-methodnotallowed.json'));
  });

  it('recognises the v2 media range only with all three parameters', () => {
    expect(acceptsAggregatedV2('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).toBe(true);
    expect(acceptsAggregatedV2('application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList, */*')).toBe(true);
    expect(acceptsAggregatedV2('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList')).toBe(false);
    expect(acceptsAggregatedV2('application/json')).toBe(false);
    expect(acceptsAggregatedV2(undefined)).toBe(false);
  });
});
