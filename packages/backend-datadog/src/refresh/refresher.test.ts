import { afterEach, describe, expect, it } from 'vitest';
import type { BackendMetrics, Logger } from '@custom-metrics/core';
import { waitFor } from '../../../../test-support/index.js';
import { DatadogApiError } from '../client/datadog-client.js';
import type { BatchResult, TimeseriesClient } from '../client/datadog-client.js';
import { QueryRefresher } from './refresher.js';

/** A fake Datadog client: records batches and answers each query with its length. */
class FakeClient implements TimeseriesClient {
  readonly batches: Array<{ queries: readonly string[]; windowMs: number }> = [];
  failWith?: DatadogApiError;
  async queryBatch(queries: readonly string[], fromMs: number, toMs: number, _signal?: AbortSignal): Promise<BatchResult> {
    this.batches.push({ queries, windowMs: toMs - fromMs });
    if (this.failWith) throw this.failWith;
    const point = (q: string) => ({ value: q.length, timestamp: new Date(toMs) });
    return { results: queries.map((q) => [{ tags: [], point: point(q), points: [point(q)] }]), rateLimit: {}, skippedPoints: 0 };
  }
}

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const metrics: BackendMetrics = { observeCall: () => undefined, cache: () => undefined, count: () => undefined, gauge: () => undefined };
const opts = { refreshMs: 10, maxAgeMs: 120_000, activeMs: 60_000, batchSize: 2, timeoutMs: 1000, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 } };
const signal = new AbortController().signal;
const open: QueryRefresher[] = [];
const make = (client: TimeseriesClient, now?: () => number, o = opts) => {
  const r = new QueryRefresher(o, { client, logger: quiet, metrics, ...(now ? { now } : {}) });
  open.push(r);
  return r;
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

describe('QueryRefresher', () => {
  it('batches only queries with the same window together', async () => {
    const client = new FakeClient();
    const r = make(client, undefined, { ...opts, refreshMs: 3_600_000 });
    await Promise.all([r.get('a', 60, signal), r.get('bb', 60, signal), r.get('ccc', 300, signal)]);
    expect(client.batches.map((b) => [b.windowMs, [...b.queries]])).toEqual([
      [60_000, ['a', 'bb']],
      [300_000, ['ccc']],
    ]);
  });

  it('drops queries not requested for activeMs from the refresh loop', async () => {
    const client = new FakeClient();
    let now = Date.now();
    const r = make(client, () => now);
    await r.get('a', 60, signal);
    await waitFor('a refresh', async () => client.batches.length >= 2, 10_000, 5);
    expect(r.activeQueries()).toEqual(['a']);
    now += 60_001;
    await waitFor('pruning', async () => r.activeQueries().length === 0, 10_000, 5);
  });

  it('does not re-trigger a failed first fetch per request within one refresh interval', async () => {
    const client = new FakeClient();
    client.failWith = new DatadogApiError('boom', 500, {}, true);
    const r = make(client, undefined, { ...opts, refreshMs: 3_600_000 });
    await expect(r.get('a', 60, signal)).rejects.toMatchObject({ code: 503 });
    const calls = client.batches.length;
    expect(calls).toBe(2);
    await expect(r.get('a', 60, signal)).rejects.toMatchObject({ code: 503 });
    expect(client.batches.length).toBe(calls);
  });

  it('a waiting request gives up when its signal aborts, without cancelling the shared fetch', async () => {
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const client = new FakeClient();
    const slow: TimeseriesClient = {
      queryBatch: async (q, f, t, s) => {
        await gate;
        return client.queryBatch(q, f, t, s);
      },
    };
    const r = make(slow, undefined, { ...opts, refreshMs: 3_600_000 });
    const ac = new AbortController();
    const first = r.get('a', 60, ac.signal);
    const second = r.get('a', 60, signal);
    ac.abort();
    await expect(first).rejects.toMatchObject({ code: 503 });
    release();
    expect((await second).series[0].point.value).toBe(1);
  });

  it('after close, get answers 503 and no timer keeps running', async () => {
    const client = new FakeClient();
    const r = make(client);
    await r.get('a', 60, signal);
    await r.close();
    const n = client.batches.length;
    await expect(r.get('a', 60, signal)).rejects.toMatchObject({ code: 503 });
    await new Promise((res) => setTimeout(res, 50));
    expect(client.batches.length).toBe(n);
  });
});
