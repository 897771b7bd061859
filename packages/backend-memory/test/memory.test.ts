// The memory backend's own behaviour beyond core's conformance kit (test/conformance.test.ts):
// declared objects unknown to the cluster, defaults, 503s from the cluster view, config errors
// and the write routes.
import { describe, expect, it } from 'vitest';
import { isConfigError, parseSelector, Selector, type GroupResource, type KubeObject, type MetricValue } from '@custom-metrics/core';
import { fakeBackendContext, FakeKubeLookup } from '@custom-metrics/core/testing';
import { writeRouteRequest } from '@custom-metrics/backend-memory/testing';
import { MemoryCustomProvider } from '../src/providers.js';
import { MAX_WRITE_BODY_BYTES } from '../src/write-routes.js';
import { createMemoryBackend, memoryBackend, MemoryStore, type MemoryBackendConfig, type MemoryBackendInstance } from '../src/index.js';

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
    expect(await routes[0].handle(writeRouteRequest({ namespace: 'ns', resource: 'pods', name: 'a', metric: 'rps' }, '"300m"'))).toMatchObject({ status: 200, body: { kind: 'Status', status: 'Success' } });
    expect(instance.store.customSeries({ group: '', resource: 'pods' }, 'rps')?.[0].objects.get('ns/a')?.value).toBe(0.3);
    await routes[1].handle(writeRouteRequest({ metric: 'queue' }, '{"value":7,"labels":{"q":"b"}}'));
    expect(instance.store.external('queue')?.series).toEqual([{ metric: 'queue', labels: { q: 'b' }, value: 7 }]);
    await expect(routes[2].handle(writeRouteRequest({ resource: 'namespaces', name: 'x', metric: 'm' }, '1'))).rejects.toMatchObject({ code: 404 });
    await expect(routes[2].handle(writeRouteRequest({ resource: 'nodes', name: 'n', metric: 'm' }, '{"value":"x"}'))).rejects.toMatchObject({ code: 400, reason: 'BadRequest' });
    // The routes read at most MAX_WRITE_BODY_BYTES: a valid body padded past it is refused.
    const padded = `"5"${' '.repeat(MAX_WRITE_BODY_BYTES)}`;
    await expect(routes[2].handle(writeRouteRequest({ resource: 'nodes', name: 'n', metric: 'm' }, padded))).rejects.toMatchObject({ code: 400, message: `request body is larger than ${MAX_WRITE_BODY_BYTES} bytes` });
    await routes[2].handle(writeRouteRequest({ resource: 'nodes', name: 'n', metric: 'm' }, padded.slice(0, MAX_WRITE_BODY_BYTES)));
    expect(instance.store.customSeries({ group: '', resource: 'nodes' }, 'm')?.[0].objects.get('/n')?.value).toBe(5);
  });
});

describe('memory backend: list answers kept while nothing they are made of changes', () => {
  const podObject = (name: string, app: string): KubeObject => ({ gvk: { group: '', version: 'v1', kind: 'Pod' }, name, namespace: 'ns', labels: { app }, annotations: {} });
  /**
   * A KubeLookup handing out one frozen list per (namespace, selector) until `changed()`, as the
   * server's informer lookup does (core's KubeLookup contract).
   */
  class KeptListLookup extends FakeKubeLookup {
    readonly #lists = new Map<string, readonly KubeObject[]>();
    calls = 0;
    override async listObjects(resource: GroupResource, namespace: string, selector: Selector): Promise<readonly KubeObject[]> {
      this.calls++;
      const key = `${namespace}|${selector.toString()}`;
      let list = this.#lists.get(key);
      if (list === undefined) {
        list = Object.freeze(await super.listObjects(resource, namespace, selector));
        this.#lists.set(key, list);
      }
      return list;
    }
    changed(): void {
      this.#lists.clear();
    }
  }
  const pods = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'rps' };
  const everything = Selector.everything();
  const setup = () => {
    const kube = new KeptListLookup({ objects: [podObject('a', 'x'), podObject('b', 'y')] });
    const store = MemoryStore.fromConfig(
      config({
        custom: [
          { resource: 'pods', metric: 'rps', labels: { path: 'a' }, default: 1, objects: [{ namespace: 'ns', name: 'a', value: 5 }] },
          { resource: 'pods', metric: 'rps', labels: { path: 'b' }, objects: [{ namespace: 'ns', name: 'b', value: 7 }] },
        ],
      }),
    );
    let tick = 0;
    const provider = new MemoryCustomProvider(store, kube, () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)));
    const ask = (selector = everything, metricSelector = everything) => provider.getMetricBySelector({ namespace: 'ns', selector, info: pods, metricSelector, signal });
    const show = (vs: MetricValue[]) => vs.map((v) => `${v.describedObject.name}=${v.value}`);
    return { kube, store, ask, show };
  };

  it('answers an unchanged question the same, with a fresh timestamp and fresh items around shared frozen objects', async () => {
    const { ask, show } = setup();
    const first = await ask();
    const second = await ask();
    // a: its own 5 in series a; b: series a's default 1 plus its own 7 in series b.
    expect(show(first)).toEqual(['a=5', 'b=8']);
    expect(show(second)).toEqual(show(first));
    expect(second).not.toBe(first);
    expect(second[0]).not.toBe(first[0]);
    expect(second[0].describedObject).toBe(first[0].describedObject);
    expect(Object.isFrozen(second[0].describedObject)).toBe(true);
    expect(Object.isFrozen(second[0].metric)).toBe(true);
    expect(first[0].timestamp.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(second[0].timestamp.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(second[1].timestamp).toBe(second[0].timestamp);
  });

  it('follows a value written to the store, an object added to the cluster view, and each question of one list', async () => {
    const { kube, store, ask, show } = setup();
    expect(show(await ask())).toEqual(['a=5', 'b=8']);
    store.setCustom({ groupResource: pods.groupResource, namespace: 'ns', name: 'b', metric: 'rps', value: 2, labels: { path: 'b' } });
    expect(show(await ask())).toEqual(['a=5', 'b=3']);
    kube.add(podObject('c', 'x'));
    // The lookup still hands out its kept list: the answer is that list's.
    expect(show(await ask())).toEqual(['a=5', 'b=3']);
    kube.changed();
    expect(show(await ask())).toEqual(['a=5', 'b=3', 'c=1']);
    // Other questions (metric selector, label selector) answered from the same lists, in turn.
    expect(show(await ask(everything, parseSelector('path=b')))).toEqual(['b=2']);
    expect(show(await ask())).toEqual(['a=5', 'b=3', 'c=1']);
    expect(show(await ask(parseSelector('app=x')))).toEqual(['a=5', 'c=1']);
    expect(show(await ask(parseSelector('app=x'), parseSelector('path=a')))).toEqual(['a=5', 'c=1']);
    expect(show(await ask(everything, parseSelector('path=b')))).toEqual(['b=2']);
  });

  it('answers each question of a lookup that hands out one list whatever it is asked', async () => {
    const objects = Object.freeze([podObject('a', 'x'), podObject('b', 'y')]);
    const kube = Object.assign(new FakeKubeLookup({ objects: [...objects] }), { listObjects: async () => objects });
    const store = MemoryStore.fromConfig(config({ custom: [{ resource: 'pods', metric: 'rps', labels: {}, objects: [{ namespace: 'ns', name: 'a', value: 5 }, { namespace: 'ns', name: 'b', value: 7 }] }, { resource: 'pods', metric: 'other', labels: {}, objects: [{ namespace: 'ns', name: 'a', value: 1 }] }] }));
    const provider = new MemoryCustomProvider(store, kube);
    const ask = (metric: string, namespace = 'ns') => provider.getMetricBySelector({ namespace, selector: everything, info: { ...pods, metric }, metricSelector: everything, signal });
    expect((await ask('rps')).map((v) => v.value)).toEqual([5, 7]);
    expect((await ask('other')).map((v) => v.value)).toEqual([1]);
    expect((await ask('rps')).map((v) => v.value)).toEqual([5, 7]);
    expect((await ask('rps', 'elsewhere')).map((v) => v.describedObject.namespace)).toEqual(['ns', 'ns']);
  });

  it('keeps no answer naming declared objects the cluster view does not know (their kind comes from discovery)', async () => {
    const kube = new KeptListLookup({ objects: [podObject('a', 'x')] });
    const store = MemoryStore.fromConfig(config({ custom: [{ resource: 'pods', metric: 'rps', labels: {}, objects: [{ namespace: 'ns', name: 'ghost', value: 9 }, { namespace: 'ns', name: 'a', value: 1 }] }] }));
    const provider = new MemoryCustomProvider(store, kube);
    let kinds = 0;
    kube.kindFor = async () => {
      kinds++;
      return { group: '', version: 'v1', kind: 'Pod' };
    };
    const ask = () => provider.getMetricBySelector({ namespace: 'ns', selector: everything, info: pods, metricSelector: everything, signal });
    expect((await ask()).map((v) => v.describedObject.name)).toEqual(['a', 'ghost']);
    expect((await ask()).map((v) => v.describedObject.name)).toEqual(['a', 'ghost']);
    expect(kinds).toBe(2);
  });
});

describe('memory backend: createMemoryBackend and its config', () => {
  const ctx = () => fakeBackendContext();
  const configError = (c: MemoryBackendConfig) => {
    try {
      createMemoryBackend(ctx(), c);
    } catch (e) {
      if (isConfigError(e)) return { path: e.path, message: e.message };
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  it('applies the schema defaults to fields left out and stamps values with the deps clock', async () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const instance = createMemoryBackend(ctx(), { custom: [{ resource: 'nodes', metric: 'load', objects: [{ name: 'n1', value: 2 }] }], external: [{ name: 'q', series: [{ value: 4 }] }] }, { now: () => at });
    expect(instance.routes).toBeUndefined();
    const v = await instance.custom!.getMetricByName({ namespace: '', name: 'n1', info: { groupResource: { group: '', resource: 'nodes' }, namespaced: false, metric: 'load' }, metricSelector: Selector.everything(), signal });
    expect(v).toMatchObject({ value: 2, timestamp: at, describedObject: { kind: 'Node', name: 'n1', apiVersion: '/v1' } });
    expect(await instance.external!.getExternalMetric({ namespace: 'default', info: { metric: 'Q' }, metricSelector: Selector.everything(), signal })).toEqual([{ metricName: 'Q', metricLabels: {}, timestamp: at, value: 4 }]);
  });

  it("takes a resource's default scope from core's isClusterScoped; namespaced: false names any other", () => {
    const store = MemoryStore.fromConfig({
      custom: [
        { resource: 'storageclasses.storage.k8s.io', metric: 'm' },
        { resource: 'widgets.example.com', metric: 'm' },
        { resource: 'clusterwidgets.example.com', metric: 'm', namespaced: false },
      ],
    });
    expect(store.customMetrics().map((m) => [m.groupResource.resource, m.namespaced])).toEqual([
      ['storageclasses', false],
      ['widgets', true],
      ['clusterwidgets', false],
    ]);
    store.setCustom({ groupResource: { group: 'example.com', resource: 'gadgets' }, namespace: 'ns', name: 'g', metric: 'm', value: 1, namespaced: false });
    expect(store.customSeries({ group: 'example.com', resource: 'gadgets' }, 'm')?.[0]).toMatchObject({ namespaced: false });
    expect([...store.customSeries({ group: 'example.com', resource: 'gadgets' }, 'm')![0].objects.keys()]).toEqual(['/g']);
  });

  it('throws ConfigErrors naming the field', () => {
    expect(configError({ custom: [{ resource: 'pods', metric: 'm', objects: [{ name: 'a', value: 1 }, { name: 'b', value: Number.NaN }] }] })).toEqual({
      path: 'custom[0].objects[1].value',
      message: 'custom[0].objects[1].value: must be a finite number, not NaN',
    });
    expect(configError({ custom: [{ resource: 'pods', metric: 'm', default: Number.POSITIVE_INFINITY }] }).path).toBe('custom[0].default');
    expect(configError({ external: [{ name: 'q' }, { name: 'q', series: [{ value: Number.NEGATIVE_INFINITY }] }] }).path).toBe('external[1].series[0].value');
    const conflict = configError({ custom: [{ resource: 'widgets.example.com', metric: 'm', labels: { a: '1' } }, { resource: 'widgets.example.com', metric: 'm', labels: { a: '2' }, namespaced: false }] });
    expect(conflict.path).toBe('custom[1].namespaced');
    expect(conflict.message).toMatch(/earlier entry for widgets\.example\.com m is namespaced; give every entry of one metric the same namespaced/);
  });
});
