import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isMetricsError, Selector } from '@custom-metrics/core';
import type { BackendInstance } from '@custom-metrics/core';
import { waitFor } from '../../../test-support/index.js';
import { API_KEY, APP_KEY, closeAll, makeBackend, neverAborted, startDouble, track as trackInstance } from './support/harness.js';
import type { DatadogDouble } from '@custom-metrics/backend-datadog/testing';
import { createDatadogBackend } from '../src/index.js';
import { recordingContext } from './support/context.js';
import { MAX_RETRY_AFTER_SECONDS } from '../src/refresh/refresher.js';

const T0 = Date.now() - 60_000;
let double: DatadogDouble;
const allLogs: string[] = [];

beforeAll(async () => {
  double = await startDouble();
});
afterEach(async () => {
  await closeAll();
  double.reset();
});
afterAll(async () => {
  await double.stop();
  // Keys never appear in anything the backend logged, in any test of this file.
  expect(allLogs.length).toBeGreaterThan(0);
  for (const line of allLogs) {
    expect(line).not.toContain(API_KEY);
    expect(line).not.toContain(APP_KEY);
  }
});

const get = (instance: BackendInstance, metric = 'depth') =>
  instance.external!.getExternalMetric({ namespace: 'default', metricSelector: Selector.everything(), info: { metric }, signal: neverAborted });
const rule = { external: [{ name: 'depth', metric: 'q.depth' }] };
const track = <T extends { rec: { logs: string[] } }>(b: T): T => {
  allLogs.push(...b.rec.logs);
  const push = b.rec.logs.push.bind(b.rec.logs);
  b.rec.logs.push = (...items: string[]) => {
    allLogs.push(...items);
    return push(...items);
  };
  return b;
};

describe('freshness', () => {
  it('refuses an answer Datadog could not refresh for longer than the max age with a 503 that says for how long', async () => {
    let now = Date.now();
    double.setResolver(() => [{ tags: [], points: [[now - 5_000, 5]] }]);
    const { instance } = track(makeBackend(double, { ...rule, maxAgeSeconds: 120, defaults: { lastPointOffset: 0 } }, { now: () => now }));
    expect((await get(instance))[0].value).toBe(5);
    now += 100_000;
    expect((await get(instance))[0].value).toBe(5);
    now += 21_000;
    const err = await get(instance).catch((e: unknown) => e);
    expect(isMetricsError(err)).toBe(true);
    expect(err).toMatchObject({ code: 503 });
    expect((err as Error).message).toContain('could not be queried for 121s');
    expect((err as Error).message).toContain('maxAge (120s)');
    expect(double.queryCalls()).toBe(1);
  });
});

describe('rate limits and retries', () => {
  it('backs off through a 429 storm and recovers', async () => {
    double.setResolver(() => [{ tags: [], points: [[T0, 42]] }]);
    const storm = Array.from({ length: 5 }, () => ({ status: 429, body: { errors: ['Too many requests'] }, headers: { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '0' } }));
    double.script(...storm);
    const b = track(makeBackend(double, { ...rule, retry: { maxAttempts: 8, initialDelayMs: 5, maxDelayMs: 40 } }));
    expect((await get(b.instance))[0].value).toBe(42);
    expect(double.calls.map((c) => c.status)).toEqual([429, 429, 429, 429, 429, 200]);
    expect(b.rec.counts.get('rate_limited')).toBe(5);
  });

  it('gives up after maxAttempts, answers 503, and the refresh loop recovers later', async () => {
    double.setResolver(() => [{ tags: [], points: [[T0, 1]] }]);
    double.script(...Array.from({ length: 3 }, () => ({ status: 503, body: { errors: ['Service Unavailable'] } })));
    const b = track(makeBackend(double, { ...rule, refreshIntervalSeconds: 0.05, retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 } }));
    await expect(get(b.instance)).rejects.toMatchObject({ code: 503 });
    expect(double.queryCalls()).toBe(3);
    const items = await waitFor('recovery', async () => get(b.instance).catch(() => undefined), 10_000, 20);
    expect(items[0].value).toBe(1);
  });

  it('pauses all calls until X-RateLimit-Reset once X-RateLimit-Remaining is 0', async () => {
    double.setResolver(() => [{ tags: [], points: [[T0, 1]] }]);
    double.script({
      status: 200,
      body: { data: { type: 'timeseries_response', attributes: { series: [{ group_tags: [], query_index: 0 }], times: [T0], values: [[3]] } } },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '600' },
    });
    const b = track(makeBackend(double, { external: [{ name: 'a', metric: 'app.a' }, { name: 'b', metric: 'app.b' }] }));
    expect((await get(b.instance, 'a'))[0].value).toBe(3);
    const err = await get(b.instance, 'b').catch((e: unknown) => e);
    // Retry-After is capped (kubectl and the HPA's client wait it out literally); the message still
    // tells when the reset is due.
    expect(err).toMatchObject({ code: 503, retryAfterSeconds: MAX_RETRY_AFTER_SECONDS });
    expect(MAX_RETRY_AFTER_SECONDS).toBeLessThan(15);
    expect((err as Error).message).toContain('rate limit');
    expect((err as Error).message).toMatch(/fetched in (599|600)s/);
    expect(double.queryCalls()).toBe(1);
    expect(await b.instance.health!()).toMatchObject({ healthy: true, message: expect.stringContaining('rate limited') });
  });

  it('isolates a query Datadog rejects with 400 by bisecting the batch', async () => {
    double.setResolver((q) => [{ tags: [], points: [[T0, q.length]] }]);
    const b = track(
      makeBackend(double, {
        maxQueriesPerCall: 4,
        external: [
          { name: 'good1', metric: 'app.good1' },
          { name: 'bad', query: 'avg:app.bad{<<tags>>}}' },
          { name: 'good2', metric: 'app.good2' },
        ],
      }),
    );
    const results = await Promise.allSettled(['good1', 'bad', 'good2'].map((m) => get(b.instance, m)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // A query Datadog rejects is isolated and retried alone: its metric answers 503 with Datadog's error.
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 503, reason: 'ServiceUnavailable', message: expect.stringContaining('Datadog rejected this metric\'s query') as unknown });
    expect(double.calls[0].status).toBe(400);
    expect(b.rec.logs.some((l) => l.includes('datadog rejected a query'))).toBe(true);
  });
});

describe('authentication', () => {
  it('reports a 403 as unhealthy, answers 503 without detail, and never logs the keys', async () => {
    const { ctx, rec } = recordingContext();
    track({ rec });
    const instance = createDatadogBackend(ctx, { baseUrl: double.url, ...rule }, { env: { DD_API_KEY: API_KEY, DD_APP_KEY: 'wrong-app-key-000000000000' } });
    trackInstance(instance);
    const err = await get(instance).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 503 });
    expect((err as Error).message).not.toContain('Forbidden');
    expect(double.calls[0].status).toBe(403);
    expect(await instance.health!()).toMatchObject({ healthy: false });
    expect(rec.logs.some((l) => l.startsWith('error') && l.includes('403'))).toBe(true);
  });

  it('redacts keys that a Datadog error body echoes back', async () => {
    double.script({ status: 400, body: { errors: [`invalid key ${API_KEY} / ${APP_KEY}`] } });
    const b = track(makeBackend(double, rule));
    const err = await get(b.instance).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 503 });
    expect((err as Error).message).toContain('[REDACTED]');
    expect((err as Error).message).not.toContain(API_KEY);
    expect((err as Error).message).not.toContain(APP_KEY);
    expect(b.rec.logs.some((l) => l.includes('[REDACTED]'))).toBe(true);
  });

  it('fails at creation, naming the source but not a value, when a key is missing', () => {
    const { ctx } = recordingContext();
    expect(() => createDatadogBackend(ctx, { baseUrl: double.url }, { env: { DD_API_KEY: API_KEY } })).toThrow(/DD_APP_KEY is not set/);
  });

  it('reads keys from files', async () => {
    const { tempDir } = await import('../../../test-support/index.js');
    const { writeFileSync } = await import('node:fs');
    const dir = tempDir('dd-keys');
    try {
      writeFileSync(`${dir.path}/api`, `${API_KEY}\n`);
      writeFileSync(`${dir.path}/app`, `${APP_KEY}\n`);
      double.setResolver(() => [{ tags: [], points: [[T0, 8]] }]);
      const { ctx, rec } = recordingContext();
      track({ rec });
      const instance = createDatadogBackend(ctx, { baseUrl: double.url, apiKey: { file: `${dir.path}/api` }, appKey: { file: `${dir.path}/app` }, ...rule }, { env: {} });
      trackInstance(instance);
      expect((await get(instance))[0].value).toBe(8);
    } finally {
      dir.remove();
    }
  });
});

describe('lifecycle', () => {
  it('close() stops the refresh loop: no calls after close', async () => {
    double.setResolver(() => [{ tags: [], points: [[T0, 1]] }]);
    const b = track(makeBackend(double, { ...rule, refreshIntervalSeconds: 0.02 }));
    await get(b.instance);
    await waitFor('a refresh', async () => double.queryCalls() >= 2, 10_000, 10);
    await b.instance.close!();
    const after = double.queryCalls();
    await new Promise((r) => setTimeout(r, 100));
    expect(double.queryCalls()).toBe(after);
    await expect(get(b.instance)).rejects.toMatchObject({ code: 503 });
  });
});


describe('answer size', () => {
  it('splits a batch whose answer passes maxResponseBytes and answers 503 naming the limit for the query too large on its own', async () => {
    const manyTags = Array.from({ length: 8000 }, (_, i) => ({ tags: [`pod:${'p'.repeat(100)}-${i}`], points: [[T0, 1]] as Array<[number, number]> }));
    double.setResolver((q) => (q.includes('app.huge') ? manyTags : [{ tags: [], points: [[T0, 7]] }]));
    const limit = 256 * 1024;
    const b = track(
      makeBackend(double, {
        maxResponseBytes: limit,
        external: [
          { name: 'small', metric: 'app.small' },
          { name: 'huge', metric: 'app.huge' },
        ],
      }),
    );
    const [small, huge] = await Promise.allSettled([get(b.instance, 'small'), get(b.instance, 'huge')]);
    expect(small).toMatchObject({ status: 'fulfilled', value: [{ value: 7 }] });
    expect(huge.status).toBe('rejected');
    const err = (huge as PromiseRejectedResult).reason as Error;
    expect(err).toMatchObject({ code: 503, limitBytes: limit });
    expect(err.message).toContain(`maxResponseBytes (${limit} bytes)`);
    // Asked again before the next refresh, the same 503 (not a generic one) without a new call.
    const calls = double.queryCalls();
    await expect(get(b.instance, 'huge')).rejects.toMatchObject({ code: 503, limitBytes: limit });
    expect(double.queryCalls()).toBe(calls);
  });
});
