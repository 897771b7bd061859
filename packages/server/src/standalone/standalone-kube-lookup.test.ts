import { describe, expect, it } from 'vitest';
import { parseSelector, Selector } from '@custom-metrics/core';
import { validateConfig } from '../config/validate.js';
import { StandaloneKubeLookup } from './standalone-kube-lookup.js';

describe('StandaloneKubeLookup', () => {
  const config = validateConfig({
    standalone: {
      objects: [
        { resource: 'pods', name: 'b', namespace: 'prod', labels: { app: 'web' } },
        { resource: 'pods', name: 'a', namespace: 'prod', labels: { app: 'web' } },
        { resource: 'deployments.apps', name: 'web', namespace: 'prod' },
        { resource: 'nodes', name: 'n1', namespace: 'ignored' },
      ],
    },
  });
  const kube = new StandaloneKubeLookup(config.standalone.objects);

  it('knows the kinds and scopes of common resources', async () => {
    expect(await kube.kindFor({ group: 'apps', resource: 'deployments' })).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(await kube.isNamespaced({ group: '', resource: 'nodes' })).toBe(false);
    expect(await kube.resourceFor('networking.k8s.io', 'Ingress')).toEqual({ group: 'networking.k8s.io', resource: 'ingresses' });
    await expect(kube.kindFor({ group: 'x', resource: 'widgets' })).rejects.toMatchObject({ code: 404 });
  });

  it('lists declared objects sorted, by namespace and selector; namespaces exist implicitly', async () => {
    const pods = await kube.listObjects({ group: '', resource: 'pods' }, 'prod', parseSelector('app=web'));
    expect(pods.map((p) => p.name)).toEqual(['a', 'b']);
    expect(await kube.listObjects({ group: '', resource: 'pods' }, 'other', Selector.everything())).toEqual([]);
    expect((await kube.getObject({ group: '', resource: 'nodes' }, '', 'n1'))?.namespace).toBeUndefined();
    expect((await kube.getObject({ group: '', resource: 'namespaces' }, '', 'prod'))?.gvk.kind).toBe('Namespace');
  });

  it('rejects unknown resources in the config with the field path', () => {
    expect(() => new StandaloneKubeLookup(validateConfig({ standalone: { objects: [{ resource: 'widgets', name: 'x' }] } }).standalone.objects)).toThrow(/standalone\.objects\[0\]\.resource/);
  });
});
