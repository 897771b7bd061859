import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from './request-info.js';

const C = '/apis/custom.metrics.k8s.io/v1beta2';

describe('parseRequestInfo', () => {
  const resourceCases: Array<[string, string, Record<string, unknown>]> = [
    ['GET', `${C}/namespaces/default/pods/*/http_requests`, { namespace: 'default', verb: 'get', apiGroup: 'custom.metrics.k8s.io', apiVersion: 'v1beta2', resource: 'pods', subresource: 'http_requests', name: '*' }],
    ['GET', `${C}/namespaces/default/pods/%2A/http_requests`, { namespace: 'default', verb: 'get', resource: 'pods', subresource: 'http_requests', name: '*' }],
    ['GET', `${C}/namespaces/default/pods/web-1/http_requests`, { namespace: 'default', verb: 'get', resource: 'pods', name: 'web-1', subresource: 'http_requests' }],
    ['GET', `${C}/namespaces/default/metrics/queue_length`, { namespace: 'default', verb: 'get', resource: 'metrics', name: 'queue_length', subresource: '' }],
    ['GET', `${C}/nodes/*/node_load1`, { namespace: '', verb: 'get', resource: 'nodes', name: '*', subresource: 'node_load1' }],
    ['GET', `${C}/namespaces/default/queue_length`, { namespace: 'default', verb: 'list', resource: 'queue_length', name: '' }],
    ['GET', `${C}/namespaces/default`, { namespace: 'default', verb: 'get', resource: 'namespaces', name: 'default' }],
    ['GET', `${C}/namespaces`, { namespace: '', verb: 'list', resource: 'namespaces' }],
    ['GET', `${C}/namespaces/default/status`, { namespace: 'default', verb: 'get', resource: 'namespaces', name: 'default', subresource: 'status' }],
    ['GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages_ready', { namespace: 'default', verb: 'list', apiGroup: 'external.metrics.k8s.io', apiVersion: 'v1beta1', resource: 'queue_messages_ready', name: '' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/pods', { namespace: '', verb: 'list', resource: 'pods' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods', { namespace: 'kube-system', verb: 'list', resource: 'pods' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods/etcd-0', { namespace: 'kube-system', verb: 'get', resource: 'pods', name: 'etcd-0' }],
    ['GET', '/apis/metrics.k8s.io/v1beta1/nodes/node-1', { verb: 'get', resource: 'nodes', name: 'node-1' }],
    ['HEAD', '/apis/metrics.k8s.io/v1beta1/nodes/node-1', { verb: 'get' }],
    ['POST', '/apis/metrics.k8s.io/v1beta1/nodes', { verb: 'create' }],
    ['PUT', '/apis/metrics.k8s.io/v1beta1/nodes/a', { verb: 'update' }],
    ['PATCH', '/apis/metrics.k8s.io/v1beta1/nodes/a', { verb: 'patch' }],
    ['DELETE', '/apis/metrics.k8s.io/v1beta1/nodes/a', { verb: 'delete' }],
    ['DELETE', '/apis/metrics.k8s.io/v1beta1/nodes', { verb: 'deletecollection' }],
    ['GET', '/api/v1/namespaces/kube-system/configmaps/x', { apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: 'kube-system', resource: 'configmaps', name: 'x' }],
  ];
  it.each(resourceCases)('%s %s is a resource request', (method, path, want) => {
    const info = parseRequestInfo(method, path);
    expect(info.isResourceRequest).toBe(true);
    expect(info.path).toBe(path);
    expect(info).toMatchObject(want);
  });

  const nonResourceCases: Array<[string, string, string]> = [
    ['GET', '/apis', 'get'],
    ['GET', '/apis/custom.metrics.k8s.io', 'get'],
    ['GET', '/apis/custom.metrics.k8s.io/v1beta1', 'get'],
    ['GET', '/apis/custom.metrics.k8s.io/v1beta1/', 'get'],
    ['GET', '/api', 'get'],
    ['GET', '/api/v1', 'get'],
    ['GET', '/healthz', 'get'],
    ['GET', '/readyz/ping', 'get'],
    ['GET', '/openapi/v2', 'get'],
    ['POST', '/metrics', 'post'],
    ['GET', '/', 'get'],
    ['GET', '/foo/bar/baz/qux', 'get'],
  ];
  it.each(nonResourceCases)('%s %s is a non-resource request', (method, path, verb) => {
    const info = parseRequestInfo(method, path);
    expect(info).toMatchObject({ isResourceRequest: false, path, verb, resource: '', namespace: '', name: '' });
  });

  it('turns a collection GET with watch=true into watch, but not a named GET', () => {
    expect(parseRequestInfo('GET', '/apis/metrics.k8s.io/v1beta1/pods', { watch: 'true' }).verb).toBe('watch');
    expect(parseRequestInfo('GET', '/apis/metrics.k8s.io/v1beta1/pods/x', { watch: 'true' }).verb).toBe('get');
  });

  it.each([
    ['true', 'watch'],
    ['1', 'watch'],
    ['', 'watch'],
    ['yes', 'watch'],
    ['0', 'list'],
    ['false', 'list'],
    ['FALSE', 'list'],
  ])('reads watch=%j as apimachinery does (%s)', (watch, verb) => {
    expect(parseRequestInfo('GET', '/apis/metrics.k8s.io/v1beta1/pods', { watch }).verb).toBe(verb);
  });

  it('takes the name from a metadata.name field selector on collections', () => {
    const info = parseRequestInfo('GET', '/apis/metrics.k8s.io/v1beta1/nodes', { fieldSelector: 'metadata.name=node-1' });
    expect(info).toMatchObject({ verb: 'list', name: 'node-1' });
  });

  it('keeps an undecodable segment as it is', () => {
    expect(parseRequestInfo('GET', `${C}/nodes/%E0%A4%A/m`).name).toBe('%E0%A4%A');
  });
});
