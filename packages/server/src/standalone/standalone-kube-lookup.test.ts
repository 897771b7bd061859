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

  describe('kinds declared in standalone.resources', () => {
    const declared = validateConfig({
      standalone: {
        resources: [
          { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', resource: 'rollouts' },
          { group: 'example.com', version: 'v1', kind: 'Fleet', resource: 'fleets', namespaced: false, singular: 'fleetx' },
          // Replaces the built-in entry (another served version).
          { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers' },
        ],
        objects: [
          { resource: 'rollouts.argoproj.io', name: 'web', namespace: 'demo', labels: { app: 'shop' } },
          { resource: 'fleets.example.com', name: 'f1', namespace: 'ignored' },
        ],
      },
    }).standalone;
    const kube = new StandaloneKubeLookup(declared.objects, declared.resources);

    it('are validated with defaults: group "", namespaced true', () => {
      expect(validateConfig({ standalone: { resources: [{ version: 'v1', kind: 'Thing', resource: 'things' }] } }).standalone.resources).toEqual([
        { group: '', version: 'v1', kind: 'Thing', resource: 'things', namespaced: true },
      ]);
    });

    it('answer kindFor, resourceFor and isNamespaced like discovery would', async () => {
      expect(await kube.kindFor({ group: 'argoproj.io', resource: 'rollouts' })).toEqual({ group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout' });
      expect(await kube.resourceFor('argoproj.io', 'Rollout')).toEqual({ group: 'argoproj.io', resource: 'rollouts' });
      expect(await kube.isNamespaced({ group: 'argoproj.io', resource: 'rollouts' })).toBe(true);
      expect(await kube.isNamespaced({ group: 'example.com', resource: 'fleets' })).toBe(false);
      expect((await kube.kindFor({ group: 'autoscaling', resource: 'horizontalpodautoscalers' })).version).toBe('v1');
    });

    it('are listed by resources() after the core group, with their singular names, each group-resource once', async () => {
      const list = await kube.resources();
      expect(list[0].group).toBe('');
      expect(list.find((r) => r.resource === 'rollouts')).toEqual({ group: 'argoproj.io', resource: 'rollouts', kind: 'Rollout', namespaced: true, singular: 'rollout' });
      expect(list.find((r) => r.resource === 'fleets')?.singular).toBe('fleetx');
      expect(list.filter((r) => r.resource === 'horizontalpodautoscalers')).toHaveLength(1);
    });

    it('hold the declared objects (cluster-scoped ones without a namespace)', async () => {
      const rollouts = await kube.listObjects({ group: 'argoproj.io', resource: 'rollouts' }, 'demo', parseSelector('app=shop'));
      expect(rollouts.map((o) => [o.gvk, o.namespace, o.name])).toEqual([[{ group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout' }, 'demo', 'web']]);
      expect((await kube.getObject({ group: 'example.com', resource: 'fleets' }, '', 'f1'))?.namespace).toBeUndefined();
      expect((await kube.getObject({ group: '', resource: 'namespaces' }, '', 'demo'))?.name).toBe('demo');
    });

    it('reject a group-resource or a group + kind declared twice, naming the field', () => {
      const make = (resources: unknown[]) => () => {
        const c = validateConfig({ standalone: { resources } }).standalone;
        return new StandaloneKubeLookup(c.objects, c.resources);
      };
      expect(make([
        { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', resource: 'rollouts' },
        { group: 'argoproj.io', version: 'v1', kind: 'Rollout2', resource: 'rollouts' },
      ])).toThrow(/standalone\.resources\[1\]\.resource: a resource declared once \("rollouts\.argoproj\.io" is already declared by standalone\.resources\[0\]\)/);
      expect(make([
        { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', resource: 'rollouts' },
        { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', resource: 'rollout2s' },
      ])).toThrow(/standalone\.resources\[1\]\.kind: a kind declared once per group/);
    });

    it('reject unknown keys and malformed names in the schema, naming the field', () => {
      const v = (entry: Record<string, unknown>) => () => validateConfig({ standalone: { resources: [{ version: 'v1', kind: 'Rollout', resource: 'rollouts', ...entry }] } });
      expect(v({ plural: 'rollouts' })).toThrow(/standalone\.resources\[0\]\.plural: is not a known field/);
      expect(v({ resource: 'Rollouts' })).toThrow(/standalone\.resources\[0\]\.resource: must match pattern/);
      expect(v({ group: 'argoproj.io/v1alpha1' })).toThrow(/standalone\.resources\[0\]\.group: must match pattern/);
      expect(v({ kind: 'rollout-x' })).toThrow(/standalone\.resources\[0\]\.kind: must match pattern/);
      expect(v({ namespaced: 'yes' })).toThrow(/standalone\.resources\[0\]\.namespaced: must be of type boolean/);
      expect(() => validateConfig({ standalone: { resources: [{ kind: 'Rollout', resource: 'rollouts' }] } })).toThrow(/standalone\.resources\[0\]\.version: is required/);
    });

    it('an object of an undeclared resource says where kinds are declared', () => {
      expect(() => new StandaloneKubeLookup(validateConfig({ standalone: { objects: [{ resource: 'rollouts.argoproj.io', name: 'x' }] } }).standalone.objects)).toThrow(
        /standalone\.objects\[0\]\.resource: a known resource \(.*\) or one declared in standalone\.resources; got "rollouts\.argoproj\.io"/,
      );
    });
  });
});
