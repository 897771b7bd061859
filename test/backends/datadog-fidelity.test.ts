// Issue #16 items 5–7 through the real server, the Datadog backend and its API double: what an HPA
// (or kubectl) gets for a stale point, a metric without data (with and without noDataValue) and a
// query Datadog rejects, and the self-metrics that report the rejected query.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendPlugin } from '@custom-metrics/core';
import { tempDir } from '../../test-support/index.js';
import { startTestServer, type TestServer } from '../../packages/server/test/support/harness.js';
import datadogBackend from '@custom-metrics/backend-datadog';
import { API_KEY, APP_KEY, startDouble } from '../../packages/backend-datadog/test/support/harness.js';
import type { DatadogDouble } from '@custom-metrics/backend-datadog/testing';
import { MAX_RETRY_AFTER_SECONDS } from '../../packages/backend-datadog/src/refresh/refresher.js';

const DD_ERROR = 'Error parsing query: unknown metric function';
const path = (metric: string) => `/apis/external.metrics.k8s.io/v1beta1/namespaces/default/${metric}`;

describe('Datadog fidelity through the server (issue #16, items 5-7)', () => {
  const dir = tempDir('dd-fidelity');
  let double: DatadogDouble;
  let server: TestServer;

  beforeAll(async () => {
    double = await startDouble({
      resolve: (q) => {
        const now = Date.now();
        if (q.includes('app.fresh')) return [{ tags: [], points: [[now - 40_000, 4], [now - 20_000, 5]] }];
        if (q.includes('app.stale')) return [{ tags: [], points: [[now - 280_000, 3]] }];
        return [];
      },
      reject: (q) => (q.includes('app.bad') ? DD_ERROR : undefined),
    });
    writeFileSync(join(dir.path, 'api-key'), API_KEY);
    writeFileSync(join(dir.path, 'app-key'), APP_KEY);
    server = await startTestServer({
      config: {
        backends: [
          {
            name: 'dd',
            type: 'datadog',
            config: {
              baseUrl: double.url,
              apiKey: { file: join(dir.path, 'api-key') },
              appKey: { file: join(dir.path, 'app-key') },
              refreshInterval: '1h',
              maxAge: '2m',
              external: [
                { name: 'fresh', metric: 'app.fresh', lastPointOffset: 0 },
                { name: 'stale', metric: 'app.stale' },
                { name: 'empty', metric: 'app.empty' },
                { name: 'filled', metric: 'app.empty', tags: ['env:prod'], noDataValue: 0 },
                { name: 'bad', metric: 'app.bad' },
              ],
            },
          },
        ],
      },
      plugins: { '@custom-metrics/backend-datadog': datadogBackend as BackendPlugin },
      now: () => new Date(),
    });
  });

  afterAll(async () => {
    await server?.close();
    await double?.stop();
    dir.remove();
  });

  it('serves a fresh point; a 280 s old one is a 503 Status saying how old', async () => {
    const fresh = await server.getJSON(path('fresh'));
    expect(fresh.status, fresh.body).toBe(200);
    expect(fresh.json).toMatchObject({ items: [{ metricName: 'fresh', value: '5' }] });
    const stale = await server.getJSON(path('stale'));
    expect(stale.status, stale.body).toBe(503);
    expect(stale.json).toMatchObject({ kind: 'Status', code: 503 });
    expect((stale.json as { message: string }).message).toMatch(/is 28\ds old, older than maxAge \(120s\)/);
  });

  it('no point: a 503 Status saying no point was found (not an empty 200, not a 404), or the rule\'s noDataValue', async () => {
    const empty = await server.getJSON(path('empty'));
    expect(empty.status, empty.body).toBe(503);
    expect(empty.json).toMatchObject({ kind: 'Status', status: 'Failure', code: 503, reason: 'ServiceUnavailable' });
    expect((empty.json as { message: string }).message).toContain('no point found: Datadog has no point of external metric empty in the last 300s');
    expect((empty.json as { message: string }).message).toContain('set noDataValue on the rule');
    expect(Number(empty.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const filled = await server.getJSON(path('filled'));
    expect(filled.status, filled.body).toBe(200);
    expect(filled.json).toMatchObject({ items: [{ metricName: 'filled', value: '0' }] });
  });

  it('a rejected query: a 503 Status with Datadog\'s error and when it is retried, counted and gauged on /metrics, logged once', async () => {
    for (let i = 0; i < 3; i++) {
      // The first answer (the query is isolated at once) and the later ones are the same 503.
      const bad = await server.getJSON(path('bad'));
      expect(bad.status, bad.body).toBe(503);
      expect(bad.json).toMatchObject({ kind: 'Status', status: 'Failure', code: 503, reason: 'ServiceUnavailable' });
      const { message } = bad.json as { message: string };
      expect(message).toContain(DD_ERROR);
      expect(message).toMatch(/retried alone in \d+s/);
      const retryAfter = Number(bad.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(MAX_RETRY_AFTER_SECONDS);
    }
    expect(double.calls.filter((c) => c.queries.some((q) => q.includes('app.bad')))).toHaveLength(1);
    const metrics = await server.request('/metrics');
    expect(metrics.body).toContain('custom_metrics_backend_gauge{instance="dd",name="rejected_queries"} 1');
    expect(metrics.body).toContain('custom_metrics_backend_events_total{instance="dd",event="query_rejected"} 1');
    expect(server.logs.filter((l) => l.includes('datadog rejected a query'))).toHaveLength(1);
  });
});
