import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { Selector, isMetricsError, parseSelector } from '@custom-metrics/core';
import { tempDir, waitFor } from '../../../../test-support/index.js';
import { InformerKubeLookup } from '../../src/kube/informer-lookup.js';
import { KubeRest } from '../../src/kube/rest.js';
import { KubeApiserverDouble } from './apiserver-double.js';

const pod = (ns: string, name: string, labels: Record<string, string>, ip = '10.0.0.1') => ({
  metadata: { namespace: ns, name, labels },
  spec: { nodeName: 'node-1' },
  status: { podIP: ip, phase: 'Running' },
});

describe('InformerKubeLookup against the kube-apiserver double (client-node informers)', () => {
  let double: KubeApiserverDouble;
  let lookup: InformerKubeLookup;
  const dir = tempDir('informer');

  beforeAll(async () => {
    double = await KubeApiserverDouble.start();
    double.upsert('pods', pod('default', 'web-1', { app: 'web', tier: 'front' }, '10.0.0.1'));
    double.upsert('pods', pod('default', 'web-2', { app: 'web', tier: 'back' }, '10.0.0.2'));
    double.upsert('pods', pod('other', 'web-3', { app: 'web' }, '10.0.0.3'));
    double.upsert('nodes', { metadata: { name: 'node-1', labels: { zone: 'a' } } });
    double.upsert('deployments.apps', { metadata: { namespace: 'default', name: 'web', labels: { app: 'web' } }, spec: { replicas: 3 } });
    const kc = new KubeConfig();
    kc.loadFromFile(double.writeKubeconfig(dir.path));
    lookup = new InformerKubeLookup(new KubeRest(kc), { restartDelayMs: 100 });
  });

  afterAll(async () => {
    await lookup?.close();
    await double?.close();
    dir.remove();
  });

  it('lists pods matching a selector with podIP, phase and nodeName, sorted', async () => {
    const pods = await lookup.listObjects({ group: '', resource: 'pods' }, 'default', parseSelector('app=web'));
    expect(pods.map((p) => p.name)).toEqual(['web-1', 'web-2']);
    expect(pods[0]).toMatchObject({
      gvk: { group: '', version: 'v1', kind: 'Pod' },
      namespace: 'default',
      podIP: '10.0.0.1',
      phase: 'Running',
      nodeName: 'node-1',
      labels: { app: 'web', tier: 'front' },
    });
    const front = await lookup.listObjects({ group: '', resource: 'pods' }, 'default', parseSelector('tier in (front)'));
    expect(front.map((p) => p.name)).toEqual(['web-1']);
    const all = await lookup.listObjects({ group: '', resource: 'pods' }, '', Selector.everything());
    expect(all.map((p) => `${p.namespace}/${p.name}`)).toEqual(['default/web-1', 'default/web-2', 'other/web-3']);
  });

  it('never LISTs per request: one informer per resource, then watch events update the cache', async () => {
    const before = double.requestsTo('GET', '/api/v1/pods').filter((r) => r.query.get('watch') !== 'true').length;
    for (let i = 0; i < 5; i++) await lookup.listObjects({ group: '', resource: 'pods' }, 'default', Selector.everything());
    const after = double.requestsTo('GET', '/api/v1/pods').filter((r) => r.query.get('watch') !== 'true').length;
    expect(after).toBe(before);
    expect(before).toBe(1);
    double.upsert('pods', pod('default', 'web-4', { app: 'web' }, '10.0.0.4'));
    await waitFor('the watch to deliver web-4', async () =>
      (await lookup.getObject({ group: '', resource: 'pods' }, 'default', 'web-4'))?.podIP === '10.0.0.4',
    );
    double.remove('pods', 'default', 'web-4');
    await waitFor('the watch to deliver the deletion', async () =>
      (await lookup.getObject({ group: '', resource: 'pods' }, 'default', 'web-4')) === undefined,
    );
    const watches = double.requestsTo('GET', '/api/v1/pods').filter((r) => r.query.get('watch') === 'true');
    expect(watches.length).toBeGreaterThanOrEqual(1);
    expect(watches[0].query.get('resourceVersion')).toMatch(/^\d+$/);
  });

  it('re-watches from its resourceVersion when the watch ends', async () => {
    double.endWatches();
    double.upsert('pods', pod('default', 'web-5', { app: 'web' }, '10.0.0.5'));
    await waitFor('web-5 after re-watch', async () => (await lookup.getObject({ group: '', resource: 'pods' }, 'default', 'web-5')) !== undefined);
  });

  it('hands out one frozen list per namespace and selector until a watch event changes the cache', async () => {
    const pods = { group: '', resource: 'pods' };
    const web = parseSelector('app=web');
    const first = await lookup.listObjects(pods, 'default', web);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => (first as unknown[]).push({})).toThrow(TypeError);
    // The same question of an unchanged cache: the same array (a selector parsed again is the same question).
    expect(await lookup.listObjects(pods, 'default', parseSelector('app = web'))).toBe(first);
    // Another namespace, another selector: other lists, each kept on its own.
    const other = await lookup.listObjects(pods, 'other', web);
    const everything = await lookup.listObjects(pods, 'default', Selector.everything());
    expect(other.map((p) => p.name)).toEqual(['web-3']);
    expect(other).not.toBe(first);
    expect(everything).not.toBe(first);
    expect(await lookup.listObjects(pods, 'other', web)).toBe(other);

    // An added pod: every kept list of the resource is stale, and the next lists show it.
    double.upsert('pods', pod('default', 'web-6', { app: 'web' }, '10.0.0.6'));
    await waitFor('web-6 in the list', async () => (await lookup.listObjects(pods, 'default', web)).some((p) => p.name === 'web-6'));
    const added = await lookup.listObjects(pods, 'default', web);
    expect(added).not.toBe(first);
    expect(added.map((p) => p.name)).toEqual([...first.map((p) => p.name), 'web-6'].sort());
    expect((await lookup.listObjects(pods, 'other', web)).map((p) => p.name)).toEqual(['web-3']);
    // Objects left unchanged keep their KubeObject.
    expect(added.find((p) => p.name === first[0].name)).toBe(first[0]);

    // A modified pod (new labels): out of the selector's list.
    double.upsert('pods', pod('default', 'web-6', { app: 'db' }, '10.0.0.6'));
    await waitFor('web-6 relabelled', async () => !(await lookup.listObjects(pods, 'default', web)).some((p) => p.name === 'web-6'));
    expect((await lookup.listObjects(pods, 'default', parseSelector('app=db'))).map((p) => p.name)).toEqual(['web-6']);

    // A deleted pod.
    double.remove('pods', 'default', 'web-6');
    await waitFor('web-6 deleted', async () => (await lookup.listObjects(pods, 'default', Selector.everything())).every((p) => p.name !== 'web-6'));
    expect((await lookup.listObjects(pods, 'default', parseSelector('app=db')))).toEqual([]);
  });

  it('serves cluster-scoped and grouped resources, with kinds and scopes from discovery', async () => {
    expect((await lookup.getObject({ group: '', resource: 'nodes' }, '', 'node-1'))?.labels).toEqual({ zone: 'a' });
    const deps = await lookup.listObjects({ group: 'apps', resource: 'deployments' }, 'default', Selector.everything());
    expect(deps.map((d) => d.gvk)).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    // Objects other than pods carry their spec (a pod's useful fields are podIP, phase, nodeName).
    expect(deps[0]?.spec).toEqual({ replicas: 3 });
    expect((await lookup.getObject({ group: '', resource: 'pods' }, 'default', 'web-1'))?.spec).toBeUndefined();
    expect(await lookup.kindFor({ group: 'apps', resource: 'deployments' })).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(await lookup.resourceFor('', 'Node')).toEqual({ group: '', resource: 'nodes' });
    expect(await lookup.isNamespaced({ group: '', resource: 'nodes' })).toBe(false);
    expect(await lookup.isNamespaced({ group: '', resource: 'namespaces' })).toBe(false);
    expect(await lookup.isNamespaced({ group: '', resource: 'pods' })).toBe(true);
    expect(await lookup.isNamespaced({ group: '', resource: 'deployments' })).toBe(true);
    expect(lookup.informerCount).toBe(3);
  });

  it('answers 404 for a resource discovery does not know', async () => {
    const err = await lookup.kindFor({ group: 'example.com', resource: 'widgets' }).catch((e: unknown) => e);
    expect(isMetricsError(err)).toBe(true);
    expect((err as { code: number }).code).toBe(404);
    expect((err as Error).message).toBe('the server doesn\'t have a resource type "widgets.example.com"');
  });
});
