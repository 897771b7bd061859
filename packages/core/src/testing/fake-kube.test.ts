import { describe, expect, it } from 'vitest';
import { isMetricsError } from '../errors.js';
import type { KubeObject } from '../kube.js';
import { parseSelector, Selector } from '../selector.js';
import { fakeBackendContext } from './fake-context.js';
import { FakeKubeLookup } from './fake-kube.js';

const pod = (namespace: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  namespace,
  name,
  labels,
  annotations: {},
});
const node = (name: string): KubeObject => ({ gvk: { group: '', version: 'v1', kind: 'Node' }, name, labels: {}, annotations: {} });

describe('FakeKubeLookup', () => {
  const pods = { group: '', resource: 'pods' };

  it('lists objects of a resource by namespace and selector, sorted by namespace then name', async () => {
    const kube = new FakeKubeLookup({ objects: [pod('b', 'x', { app: 'web' }), pod('a', 'z', { app: 'web' }), pod('a', 'y', { app: 'db' }), node('n1')] });
    const names = (os: readonly KubeObject[]) => os.map((o) => `${o.namespace}/${o.name}`);
    expect(names(await kube.listObjects(pods, '', Selector.everything()))).toEqual(['a/y', 'a/z', 'b/x']);
    expect(names(await kube.listObjects(pods, 'a', parseSelector('app=web')))).toEqual(['a/z']);
    expect((await kube.listObjects({ group: '', resource: 'nodes' }, '', Selector.everything())).map((o) => o.name)).toEqual(['n1']);
  });

  it('gets, adds and removes objects', async () => {
    const kube = new FakeKubeLookup();
    expect(await kube.getObject(pods, 'a', 'p')).toBeUndefined();
    kube.add(pod('a', 'p', { v: '1' }));
    kube.add(pod('a', 'p', { v: '2' }));
    expect((await kube.getObject(pods, 'a', 'p'))?.labels).toEqual({ v: '2' });
    expect(kube.objects).toHaveLength(1);
    expect(kube.remove(pod('a', 'p'))).toBe(true);
    expect(kube.remove(pod('a', 'p'))).toBe(false);
    kube.add(node('n'));
    expect((await kube.getObject({ group: '', resource: 'nodes' }, '', 'n'))?.name).toBe('n');
  });

  it('maps resources and kinds, and 404s unknown ones', async () => {
    const kube = new FakeKubeLookup({
      resources: [{ groupResource: { group: 'example.com', resource: 'widgets' }, gvk: { group: 'example.com', version: 'v1', kind: 'Widget' }, namespaced: true }],
    });
    expect(await kube.kindFor({ group: 'apps', resource: 'deployments' })).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(await kube.resourceFor('', 'Pod')).toEqual(pods);
    expect(await kube.resourceFor('example.com', 'Widget')).toEqual({ group: 'example.com', resource: 'widgets' });
    expect(await kube.isNamespaced({ group: '', resource: 'nodes' })).toBe(false);
    for (const p of [kube.kindFor({ group: 'x', resource: 'y' }), kube.resourceFor('x', 'Y'), kube.listObjects({ group: 'x', resource: 'y' }, '', Selector.everything())]) {
      const e = await p.then(() => undefined, (err: unknown) => err);
      expect(isMetricsError(e)).toBe(true);
      expect((e as { code: number }).code).toBe(404);
    }
  });
});

describe('fakeBackendContext', () => {
  it('records logs and metrics and simulates shutdown', () => {
    const ctx = fakeBackendContext({ instanceName: 'prom', objects: [pod('a', 'p')] });
    expect(ctx.instanceName).toBe('prom');
    ctx.logger.info({ q: 'up' }, 'query');
    ctx.logger.warn('plain');
    expect(ctx.logger.records).toEqual([
      { level: 'info', fields: { q: 'up' }, msg: 'query' },
      { level: 'warn', fields: {}, msg: 'plain' },
    ]);
    ctx.metrics.observeCall('query', 0.1, 'success');
    ctx.metrics.cache('hit');
    ctx.metrics.count('samples_dropped_nan');
    ctx.metrics.count('samples_dropped_nan', 2);
    ctx.metrics.gauge('series', 7);
    expect(ctx.metrics.calls).toEqual([{ operation: 'query', seconds: 0.1, outcome: 'success' }]);
    expect(ctx.metrics.cacheResults.hit).toBe(1);
    expect(ctx.metrics.counters.get('samples_dropped_nan')).toBe(3);
    expect(ctx.metrics.gauges.get('series')).toBe(7);
    expect(ctx.signal.aborted).toBe(false);
    ctx.shutdown();
    expect(ctx.signal.aborted).toBe(true);
  });
});
