import { describe, expect, it } from 'vitest';
import { requestLabels } from './request-metrics.js';

describe('requestLabels', () => {
  it('labels requests by API group and Kubernetes verb', () => {
    expect(requestLabels('GET', '/apis/custom.metrics.k8s.io/v1beta2/namespaces/d/pods/*/m')).toEqual({ group: 'custom.metrics.k8s.io', verb: 'get' });
    expect(requestLabels('GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/d/q')).toEqual({ group: 'external.metrics.k8s.io', verb: 'list' });
    expect(requestLabels('GET', '/apis/metrics.k8s.io/v1beta1/nodes')).toEqual({ group: 'metrics.k8s.io', verb: 'list' });
    expect(requestLabels('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/d/pods/p')).toEqual({ group: 'metrics.k8s.io', verb: 'get' });
    expect(requestLabels('GET', '/apis/metrics.k8s.io/v1beta1')).toEqual({ group: 'metrics.k8s.io', verb: 'discovery' });
    expect(requestLabels('POST', '/apis/metrics.k8s.io/v1beta1/nodes')).toEqual({ group: 'metrics.k8s.io', verb: 'post' });
    expect(requestLabels('GET', '/healthz')).toEqual({ group: 'none', verb: 'get' });
    expect(requestLabels('GET', '/apis/evil.example.com/v1/x')).toEqual({ group: 'none', verb: 'get' });
  });
});
