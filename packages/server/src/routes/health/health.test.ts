import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineBackendPlugin, type BackendPlugin } from '@custom-metrics/core';
import { startTestServer, type TestServer } from '../../../test/support/harness.js';

let healthy = true;
const flaky = defineBackendPlugin({
  name: 'flaky',
  configSchema: { type: 'object' },
  create: () => ({ health: () => (healthy ? { healthy: true } : { healthy: false, message: 'backend down' }) }),
});

describe('health and self-metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { backends: [{ name: 'fixtures', type: 'fixture' }, { name: 'flaky', type: 'flaky' }] }, plugins: { flaky: flaky as BackendPlugin } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('answers ok on /healthz, /livez and /readyz, and lists checks with ?verbose', async () => {
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const res = await s.request(p);
      expect(res.status, p).toBe(200);
      expect(res.body).toBe('ok');
    }
    const verbose = await s.request('/readyz?verbose');
    expect(verbose.body).toContain('[+]ping ok');
    expect(verbose.body).toContain('[+]backend:fixtures ok');
    expect(verbose.body).toContain('[+]backend:flaky ok');
    expect(verbose.body).toContain('readyz check passed');
  });

  it('keeps readiness and liveness when a backend is unhealthy, listing it as informational', async () => {
    healthy = false;
    try {
      const ready = await s.request('/readyz?verbose');
      expect(ready.status).toBe(200);
      expect(ready.body).toContain('[-]backend:flaky failed: backend down (informational, does not affect readiness)');
      expect(ready.body).toContain('[+]backend:fixtures ok (informational, does not affect readiness)');
      expect(ready.body).toContain('readyz check passed');
      for (const p of ['/readyz', '/healthz', '/livez']) {
        const res = await s.request(p);
        expect(res.status, p).toBe(200);
        expect(res.body, p).toBe('ok');
      }
      expect((await s.request('/livez?verbose')).body).not.toContain('backend:');
      const metrics = await s.request('/metrics');
      expect(metrics.body).toContain('custom_metrics_backend_healthy{instance="flaky"} 0');
      expect(metrics.body).toContain('custom_metrics_backend_healthy{instance="fixtures"} 1');
    } finally {
      healthy = true;
    }
    expect((await s.request('/metrics')).body).toContain('custom_metrics_backend_healthy{instance="flaky"} 1');
  });

  it('exports request, backend and discovery metrics on /metrics', async () => {
    await s.request('/apis/custom.metrics.k8s.io/v1beta1/nodes/*/node_load1');
    const res = await s.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/custom_metrics_server_request_duration_seconds_count\{group="custom.metrics.k8s.io",verb="get",code="200"\} \d+/);
    expect(res.body).toMatch(/custom_metrics_backend_call_duration_seconds_count\{instance="fixtures",operation="provider.getMetricBySelector",outcome="success"\} \d+/);
    expect(res.body).toMatch(/custom_metrics_discovered_metrics\{instance="fixtures",api="custom"\} 4/);
    expect(res.body).toContain('custom_metrics_server_inflight_requests');
  });
});
