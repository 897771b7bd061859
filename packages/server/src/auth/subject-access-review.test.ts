import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from '../http/request-info.js';
import { reviewKey, subjectAccessReviewBody, type AuthorizationAttributes } from './subject-access-review.js';

const paths = [
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/a/pods/*/m',
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/b/pods/*/m',
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/a/pods/p/m',
  '/apis/external.metrics.k8s.io/v1beta1/namespaces/a/q',
  '/apis/metrics.k8s.io/v1beta1/pods',
  '/apis/metrics.k8s.io/v1beta1/nodes/n',
  '/healthz',
  '/metrics',
  '/openapi/v2',
];
const attrs: fc.Arbitrary<AuthorizationAttributes> = fc.record({
  method: fc.constantFrom('GET', 'POST'),
  path: fc.constantFrom(...paths),
  labelSelector: fc.option(fc.constantFrom('app=web', 'app = web', 'app!=x', 'tier in (a,b)', ''), { nil: undefined }),
  fieldSelector: fc.option(fc.constantFrom('metadata.name=p', 'metadata.name!=p'), { nil: undefined }),
  name: fc.constantFrom('alice', 'bob', 'system:serviceaccount:kube-system:horizontal-pod-autoscaler'),
  groups: fc.subarray(['system:authenticated', 'dev', 'ops']),
  uid: fc.option(fc.constantFrom('u1', 'u2'), { nil: undefined }),
  extra: fc.option(fc.constantFrom<Record<string, string[]>>({ scopes: ['a'] }, { scopes: ['b'] }, {}), { nil: undefined }),
}).map((r) => ({
  user: { name: r.name, groups: r.groups, uid: r.uid, extra: r.extra },
  request: parseRequestInfo(r.method, r.path, {}),
  labelSelector: r.labelSelector,
  fieldSelector: r.fieldSelector,
}));

describe('reviewKey (the SubjectAccessReview cache key)', () => {
  it('two attributes with one key have one review body', () => {
    fc.assert(
      fc.property(attrs, attrs, (a, b) => {
        if (reviewKey(a) === reviewKey(b)) expect(subjectAccessReviewBody(a)).toEqual(subjectAccessReviewBody(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('the same attributes built twice give the same key; users, groups and selectors of list requests tell keys apart', () => {
    fc.assert(fc.property(attrs, (a) => reviewKey(a) === reviewKey({ ...a, user: { ...a.user, groups: [...a.user.groups] } })));
    const base = { user: { name: 'alice', groups: ['dev'] }, request: parseRequestInfo('GET', paths[0], {}) };
    expect(reviewKey(base)).not.toBe(reviewKey({ ...base, user: { name: 'alice', groups: ['ops'] } }));
    expect(reviewKey(base)).not.toBe(reviewKey({ ...base, user: { name: 'alice,dev', groups: [] } }));
    const list = { ...base, request: parseRequestInfo('GET', paths[3], {}) };
    expect(list.request.verb).toBe('list');
    expect(reviewKey({ ...list, labelSelector: 'a=b' })).not.toBe(reviewKey({ ...list, labelSelector: 'a=c' }));
  });
});
