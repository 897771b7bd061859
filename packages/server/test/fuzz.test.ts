import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

const OK_KINDS = new Set(['MetricValueList', 'ExternalMetricValueList', 'PodMetricsList', 'PodMetrics', 'NodeMetricsList', 'NodeMetrics', 'APIResourceList', 'APIGroup', 'APIGroupList']);

const segment = fc.oneof(
  fc.constantFrom('namespaces', 'default', 'pods', '*', '%2A', 'metrics', 'nodes', 'node-1', 'http_requests', 'deployments.apps', 'sample-app', 'queue_length', 'v1beta1', 'v1beta2', '..', '.', '%2F', '%00', '%zz', '%', 'status'),
  fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
);
const prefix = fc.constantFrom('/apis/custom.metrics.k8s.io/v1beta1', '/apis/custom.metrics.k8s.io/v1beta2', '/apis/external.metrics.k8s.io/v1beta1', '/apis/metrics.k8s.io/v1beta1', '/apis', '', '/backends/mem/write', '/backends');
const queryValue = fc.oneof(
  fc.constantFrom('app=sample-app', 'app in (a,b)', 'app in sample-app', '!x', 'a!=b', 'x>1', 'a==b,c', '', '=', ',', '(', 'metadata.name=x', 'true', '1'),
  fc.string({ maxLength: 20 }),
);
const query = fc
  .array(fc.tuple(fc.constantFrom('labelSelector', 'metricLabelSelector', 'fieldSelector', 'pretty', 'verbose', 'watch', 'x'), queryValue), { maxLength: 3 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%20/g, '+')}`).join('&')}`));

describe('fuzzed requests', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('never answer 500 and always answer a Status or a valid document', async () => {
    await fc.assert(
      fc.asyncProperty(prefix, fc.array(segment, { maxLength: 6 }), query, fc.constantFrom('GET', 'GET', 'GET', 'POST', 'HEAD', 'OPTIONS'), async (pre, segs, q, method) => {
        if (pre === '' && (segs[0] === 'metrics' || segs.length === 0)) return; // /metrics is text; / is covered elsewhere
        const path = `${pre}/${segs.join('/')}${q}`;
        const res = await s.request(path, { method });
        expect(res.status, path).not.toBe(500);
        expect(res.status, path).toBeGreaterThanOrEqual(200);
        if (method === 'HEAD') return;
        expect(res.headers['content-type'], path).toMatch(/^application\/json/);
        const doc = JSON.parse(res.body) as { kind: string; code?: number };
        if (res.status >= 400) {
          expect(doc.kind, path).toBe('Status');
          expect(doc.code, path).toBe(res.status);
        } else {
          expect(OK_KINDS.has(doc.kind) || doc.kind === 'Status', path).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
    expect((await s.request('/healthz')).status).toBe(200);
  });
});
