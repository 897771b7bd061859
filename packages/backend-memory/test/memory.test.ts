import { describe, expect, it } from 'vitest';
import { parseSelector, Selector } from '@custom-metrics/core';
import { customProviderConformance, externalProviderConformance, fakeBackendContext, FakeKubeLookup } from '@custom-metrics/core/testing';
import { MemoryCustomProvider, MemoryExternalProvider } from '../src/providers.js';
import { MemoryStore } from '../src/store.js';
import { memoryBackend, type MemoryBackendInstance } from '../src/plugin.js';
import { MAX_WRITE_BODY_BYTES } from '../src/write-routes.js';
import type { MemoryBackendConfig } from '../src/schema.js';

describe('memory backend: custom provider conformance', () => {
  for (const c of customProviderConformance(async (env) => {
    const store = new MemoryStore();
    const provider = new MemoryCustomProvider(store, env.kube, () => env.data.timestamp);
    return {
      provider,
      seed(data) {
        for (const s of data.custom) {
          store.setCustom({ groupResource: s.info.groupResource, namespace: s.object.namespace ?? '', name: s.object.name, metric: s.info.metric, value: s.value, labels: { ...s.labels } });
        }
      },
    };
  })) {
    it(c.name, c.run);
  }
});

describe('memory backend: external provider conformance', () => {
  for (const c of externalProviderConformance(async (env) => {
    const store = new MemoryStore();
    return {
      provider: new MemoryExternalProvider(store, () => env.data.timestamp),
      seed(data) {
        for (const s of data.external) store.setExternal(s.metric, { ...s.labels }, s.value);
      },
    };
  })) {
    it(c.name, c.run);
  }
});

const config = (c: Partial<MemoryBackendConfig>): MemoryBackendConfig => ({ writeEndpoint: { enabled: false }, custom: [], external: [], ...c });
const signal = new AbortController().signal;

describe('memory backend: declared metrics', () => {
  const kube = new FakeKubeLookup({
    objects: [
      { gvk: { group: '', version: 'v1', kind: 'Pod' }, name: 'a', namespace: 'ns', labels: { app: 'x' }, annotations: {} },
      { gvk: { group: '', version: 'v1', kind: 'Pod' }, name: 'b', namespace: 'ns', labels: { app: 'y' }, annotations: {} },
    ],
  });
  const store = MemoryStore.fromConfig(
    config({
      custom: [
        { resource: 'pods', metric: 'rps', labels: {}, default: 1, objects: [{ namespace: 'ns', name: 'a', value: 5 }, { namespace: 'ns', name: 'ghost', value: 9, labels: { app: 'x' } }] },
        { resource: 'namespaces', metric: 'depth', labels: { q: 'one' }, objects: [{ name: 'ns', value: 3 }] },
      ],
    }),
  );
  const provider = new MemoryCustomProvider(store, kube);
  const pods = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'rps' };

  it('serves per-object values, the default for other objects, and declared objects unknown to the cluster', async () => {
    const all = await provider.getMetricBySelector({ namespace: 'ns', selector: Selector.everything(), info: pods, metricSelector: Selector.everything(), signal });
    expect(all.map((v) => [v.describedObject.name, v.value, v.describedObject.kind])).toEqual([
      ['a', 5, 'Pod'],
      ['b', 1, 'Pod'],
      ['ghost', 9, 'Pod'],
    ]);
    const selected = await provider.getMetricBySelector({ namespace: 'ns', selector: parseSelector('app=x'), info: pods, metricSelector: Selector.everything(), signal });
    expect(selected.map((v) => v.describedObject.name)).toEqual(['a', 'ghost']);
    const ghost = await provider.getMetricByName({ namespace: 'ns', name: 'ghost', info: pods, metricSelector: Selector.everything(), signal });
    expect(ghost.value).toBe(9);
  });

  it('answers 404 for unknown metrics and objects, and filters by metric labels', async () => {
    await expect(provider.getMetricByName({ namespace: 'ns', name: 'zzz', info: pods, metricSelector: Selector.everything(), signal })).rejects.toMatchObject({ code: 404 });
    await expect(provider.getMetricBySelector({ namespace: 'ns', selector: Selector.everything(), info: { ...pods, metric: 'nope' }, metricSelector: Selector.everything(), signal })).rejects.toMatchObject({ code: 404 });
    const depth = { groupResource: { group: '', resource: 'namespaces' }, namespaced: false, metric: 'depth' };
    expect(provider.listAllMetrics()).toContainEqual(depth);
    const v = await provider.getMetricByName({ namespace: '', name: 'ns', info: depth, metricSelector: parseSelector('q=one'), signal });
    expect(v.metric.selector).toEqual({ matchLabels: { q: 'one' } });
    await expect(provider.getMetricByName({ namespace: '', name: 'ns', info: depth, metricSelector: parseSelector('q=two'), signal })).rejects.toMatchObject({ code: 404 });
  });

  it('answers 503 (never an empty list or a 404) when the cluster lookup fails', async () => {
    const down = new Error('informer not synced: connection refused');
    const failing = Object.assign(Object.create(kube) as FakeKubeLookup, {
      listObjects: () => Promise.reject(down),
      getObject: () => Promise.reject(down),
      kindFor: () => Promise.reject(down),
    });
    const p = new MemoryCustomProvider(store, failing);
    const bySelector = p.getMetricBySelector({ namespace: 'ns', selector: Selector.everything(), info: pods, metricSelector: Selector.everything(), signal });
    await expect(bySelector).rejects.toMatchObject({ code: 503, message: expect.stringContaining('unable to look up pods in the cluster') });
    await expect(p.getMetricByName({ namespace: 'ns', name: 'a', info: pods, metricSelector: Selector.everything(), signal })).rejects.toMatchObject({ code: 503 });
    await expect(p.getMetricByName({ namespace: 'ns', name: 'ghost', info: pods, metricSelector: Selector.everything(), signal })).rejects.toMatchObject({ code: 503 });
  });

  it('creates instances through the plugin with writes off by default', async () => {
    const instance = await memoryBackend.create(fakeBackendContext(), config({}));
    expect(instance.routes).toBeUndefined();
    expect(instance.custom?.listAllMetrics()).toEqual([]);
  });

  it('contributes its write routes when writeEndpoint is enabled, writing to its own store', async () => {
    const instance = (await memoryBackend.create(fakeBackendContext(), config({ writeEndpoint: { enabled: true } }))) as MemoryBackendInstance;
    const routes = instance.routes ?? [];
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /write/namespaces/:namespace/:resource/:name/:metric',
      'POST /write/external/:metric',
      'POST /write/:resource/:name/:metric',
    ]);
    const request = (params: Record<string, string>, text: string) => ({
      params,
      query: {},
      user: { name: 'alice', groups: [] },
      signal: new AbortController().signal,
      body: async (limit: number) => {
        expect(limit).toBe(MAX_WRITE_BODY_BYTES);
        return text;
      },
    });
    expect(await routes[0].handle(request({ namespace: 'ns', resource: 'pods', name: 'a', metric: 'rps' }, '"300m"'))).toMatchObject({ status: 200, body: { kind: 'Status', status: 'Success' } });
    expect(instance.store.customSeries({ group: '', resource: 'pods' }, 'rps')?.[0].objects.get('ns/a')?.value).toBe(0.3);
    await routes[1].handle(request({ metric: 'queue' }, '{"value":7,"labels":{"q":"b"}}'));
    expect(instance.store.external('queue')?.series).toEqual([{ metric: 'queue', labels: { q: 'b' }, value: 7 }]);
    await expect(routes[2].handle(request({ resource: 'namespaces', name: 'x', metric: 'm' }, '1'))).rejects.toMatchObject({ code: 404 });
    await expect(routes[2].handle(request({ resource: 'nodes', name: 'n', metric: 'm' }, '{"value":"x"}'))).rejects.toMatchObject({ code: 400, reason: 'BadRequest' });
  });
});
