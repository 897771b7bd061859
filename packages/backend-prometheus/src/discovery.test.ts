import { describe, expect, it } from 'vitest';
import { BUILTIN_RESOURCES, resourceInfos, type ResourceInfo } from '@custom-metrics/core';
import { resolveLabelResource } from './discovery.js';
import { ResourceConverter } from './naming/resource-converter.js';

const CLUSTER: ResourceInfo[] = [
  ...resourceInfos(BUILTIN_RESOURCES),
  { group: 'argoproj.io', resource: 'rollouts', kind: 'Rollout', namespaced: true, singular: 'rollout' },
  { group: 'keda.sh', resource: 'scaledobjects', kind: 'ScaledObject', namespaced: true, singular: 'scaledobject' },
  { group: 'cert-manager.io', resource: 'certificates', kind: 'Certificate', namespaced: true, singular: 'certificate' },
  { group: 'example.com', resource: 'pods', kind: 'Pod', namespaced: true, singular: 'pod' },
];

describe('resolveLabelResource (the RESTMapper step of discovery)', () => {
  const bare = new ResourceConverter({ template: '<<.Resource>>' }, 't');
  const grouped = new ResourceConverter({ template: 'kube_<<.Group>>_<<.Resource>>' }, 't');
  const cases: Array<[string, ResourceConverter, string, string | undefined]> = [
    ['a core resource by singular', bare, 'pod', 'pods.'],
    ['the core group wins over a CRD of the same name', bare, 'pod', 'pods.'],
    ['a built-in of another group', bare, 'deployment', 'deployments.apps'],
    ['a CRD by singular', bare, 'rollout', 'rollouts.argoproj.io'],
    ['a CRD by singular (KEDA)', bare, 'scaledobject', 'scaledobjects.keda.sh'],
    ['an unknown resource', bare, 'widget', undefined],
    ['with .Group: dots as _', grouped, 'kube_argoproj_io_rollout', 'rollouts.argoproj.io'],
    ['with .Group: dashes as _', grouped, 'kube_cert_manager_io_certificate', 'certificates.cert-manager.io'],
    ['with .Group: the named group only', grouped, 'kube_example_com_pod', 'pods.example.com'],
    ['with .Group: wrong group', grouped, 'kube_keda_sh_rollout', undefined],
  ];
  for (const [name, conv, label, want] of cases) {
    it(name, () => {
      const r = conv.resourceForLabel(label);
      const gr = r === undefined ? undefined : resolveLabelResource(r, CLUSTER);
      expect(gr === undefined ? undefined : `${gr.resource}.${gr.group}`).toBe(want);
    });
  }

  it('trusts overrides even when discovery does not list them', () => {
    const conv = new ResourceConverter({ overrides: { thing: { group: 'x.io', resource: 'thing' } } }, 't');
    expect(resolveLabelResource(conv.resourceForLabel('thing')!, [])).toEqual({ group: 'x.io', resource: 'things' });
  });
});
