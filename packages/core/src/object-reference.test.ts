import { describe, expect, it } from 'vitest';
import { isClusterScoped, objectReference } from './object-reference.js';

describe('objectReference', () => {
  it('writes "/v1" for the core group, as helpers.ReferenceFor does', () => {
    expect(objectReference({ group: '', version: 'v1', kind: 'Pod' }, 'default', 'web-1')).toEqual({ kind: 'Pod', namespace: 'default', name: 'web-1', apiVersion: '/v1' });
  });

  it('writes group/version for other groups and never a uid', () => {
    const ref = objectReference({ group: 'apps', version: 'v1', kind: 'Deployment' }, 'prod', 'api');
    expect(ref).toEqual({ kind: 'Deployment', namespace: 'prod', name: 'api', apiVersion: 'apps/v1' });
    expect('uid' in ref).toBe(false);
  });

  it('omits an empty namespace (cluster-scoped objects)', () => {
    expect(objectReference({ group: '', version: 'v1', kind: 'Node' }, '', 'n1')).toEqual({ kind: 'Node', name: 'n1', apiVersion: '/v1' });
    expect(objectReference({ group: '', version: 'v1', kind: 'Node' }, undefined, 'n1')).toEqual({ kind: 'Node', name: 'n1', apiVersion: '/v1' });
  });
});

describe('isClusterScoped', () => {
  it.each([
    [{ group: '', resource: 'nodes' }, true],
    [{ group: '', resource: 'namespaces' }, true],
    [{ group: '', resource: 'persistentvolumes' }, true],
    [{ group: 'storage.k8s.io', resource: 'storageclasses' }, true],
    [{ group: '', resource: 'pods' }, false],
    [{ group: 'apps', resource: 'deployments' }, false],
    [{ group: 'example.com', resource: 'nodes' }, false],
    [{ group: 'example.com', resource: 'widgets' }, false],
  ])('%j → %s', (gr, expected) => {
    expect(isClusterScoped(gr)).toBe(expected);
  });
});
