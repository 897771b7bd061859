// Issue #16, items 5–7 (users coming from the Datadog Cluster Agent and KEDA), through the real
// @datadog/datadog-api-client against the API double: the age of a point is measured from its
// Datadog timestamp and the last bucket is skipped (lastPointOffset); a query Datadog rejects is
// isolated with its own backoff instead of multiplying the batched calls; a rule's noDataValue is
// served when there is no point, else the answer says why instead of an empty list.
import { describe, expect, it } from 'vitest';
import { isMetricsError, Selector, type BackendInstance, type GroupResource } from '@custom-metrics/core';
import { waitFor } from '../../../test-support/index.js';
import { MAX_RETRY_AFTER_SECONDS } from '../src/refresh/refresher.js';
import { makeBackend, neverAborted, useDouble } from './support/harness.js';
import { staticKube } from './support/context.js';

const double = useDouble();

const get = (instance: BackendInstance, metric = 'depth') =>
  instance.external!.getExternalMetric({ namespace: 'default', metricSelector: Selector.everything(), info: { metric }, signal: neverAborted });
const failure = (p: Promise<unknown>) => p.then(
  (v) => {
    throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
  },
  (e: unknown) => e as Error & { code: number; retryAfterSeconds?: number },
);

describe('item 5: the age of a point is measured from its timestamp; the last bucket is skipped', () => {
  it('refuses a 280 s old point with maxAge 2m although it was fetched just now (503 saying how old)', async () => {
    const now = Date.now();
    double.setResolver(() => [{ tags: [], points: [[now - 280_000, 3]] }]);
    const { instance } = makeBackend(double, { maxAge: '2m', external: [{ name: 'depth', metric: 'q.depth', lastPointOffset: 0 }] });
    const err = await failure(get(instance));
    expect(isMetricsError(err)).toBe(true);
    expect(err.code).toBe(503);
    expect(err.message).toMatch(/latest Datadog point of external metric depth is 28\ds old, older than maxAge \(120s\)/);
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    expect(double.queryCalls()).toBe(1);
  });

  it('serves the valid point before the last one by default; lastPointOffset chooses; a null last bucket is no point', async () => {
    const now = Date.now();
    double.setResolver((q) =>
      q.includes('sparse')
        ? [{ tags: [], points: [[now - 30_000, 9], [now - 10_000, null]] }]
        : [{ tags: [], points: [[now - 90_000, 1], [now - 60_000, 2], [now - 30_000, 3], [now - 10_000, null]] }],
    );
    const { instance } = makeBackend(double, {
      external: [
        { name: 'default', metric: 'q.depth' },
        { name: 'last', metric: 'q.depth', tags: ['k:last'], lastPointOffset: 0 },
        { name: 'two', metric: 'q.depth', tags: ['k:two'], lastPointOffset: 2 },
        { name: 'sparse', metric: 'q.sparse' },
      ],
    });
    expect(await get(instance, 'default')).toMatchObject([{ value: 2, timestamp: new Date(now - 60_000) }]);
    expect(await get(instance, 'last')).toMatchObject([{ value: 3, timestamp: new Date(now - 30_000) }]);
    expect(await get(instance, 'two')).toMatchObject([{ value: 1, timestamp: new Date(now - 90_000) }]);
    // One valid point in the window: served (a sparse metric), as the Cluster Agent does.
    expect(await get(instance, 'sparse')).toMatchObject([{ value: 9 }]);
  });

  it('defaults.lastPointOffset applies to every rule without its own', async () => {
    const now = Date.now();
    double.setResolver(() => [{ tags: [], points: [[now - 60_000, 1], [now - 30_000, 2]] }]);
    const { instance } = makeBackend(double, { defaults: { lastPointOffset: 0 }, external: [{ name: 'depth', metric: 'q.depth' }] });
    expect(await get(instance)).toMatchObject([{ value: 2 }]);
  });

  it('a group whose point is stale is left out while fresh groups are served', async () => {
    const now = Date.now();
    double.setResolver(() => [
      { tags: ['queue:live'], points: [[now - 20_000, 5]] },
      { tags: ['queue:gone'], points: [[now - 250_000, 7]] },
    ]);
    const { instance } = makeBackend(double, { external: [{ name: 'depth', metric: 'q.depth', groupBy: ['queue'], lastPointOffset: 0 }] });
    expect((await get(instance)).map((i) => [i.metricLabels, i.value])).toEqual([[{ queue: 'live' }, 5]]);
  });

  it('custom metrics: a pod whose point is stale is a 503 by name, and the others are listed', async () => {
    const now = Date.now();
    const pods: GroupResource = { group: '', resource: 'pods' };
    const gvk = { group: '', version: 'v1', kind: 'Pod' };
    const kube = staticKube(['web-1', 'web-2'].map((name) => ({ name, namespace: 'default', labels: {}, annotations: {}, gvk, resource: pods })));
    double.setResolver(() => [
      { tags: ['pod_name:web-1'], points: [[now - 20_000, 4]] },
      { tags: ['pod_name:web-2'], points: [[now - 200_000, 8]] },
    ]);
    const { instance } = makeBackend(double, { custom: [{ name: 'rps', resource: 'pods', objectTag: 'pod_name', metric: 'app.rps', lastPointOffset: 0 }] }, {}, kube);
    const info = { groupResource: pods, namespaced: true, metric: 'rps' };
    const list = await instance.custom!.getMetricBySelector({ namespace: 'default', selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: neverAborted });
    expect(list.map((v) => [v.describedObject.name, v.value])).toEqual([['web-1', 4]]);
    const err = await failure(instance.custom!.getMetricByName({ namespace: 'default', name: 'web-2', info, metricSelector: Selector.everything(), signal: neverAborted }));
    expect(err.code).toBe(503);
    expect(err.message).toMatch(/rps for pods web-2 is 20\ds old/);
  });
});

describe('item 6: one query Datadog rejects does not multiply the calls', () => {
  const GOOD = Array.from({ length: 8 }, (_, i) => ({ name: `good${i}`, metric: `app.good${i}` }));
  const BAD = { name: 'bad', metric: 'app.bad' };
  const DD_ERROR = 'Error parsing query: unknown metric function';
  // The bad rule is 5th: the first fetch puts it in the second batch of 4.
  const rules = [...GOOD.slice(0, 4), BAD, ...GOOD.slice(4)];
  const isBad = (q: string) => q.includes('app.bad');

  it('is isolated after one bisection and retried alone with backoff; every refresh costs the good batches only', async () => {
    double.setResolver(() => [{ tags: [], points: [[Date.now() - 20_000, 1]] }]);
    double.setRejecter((q) => (isBad(q) ? DD_ERROR : undefined));
    const b = makeBackend(double, { refreshIntervalSeconds: 0.1, maxQueriesPerCall: 4, external: rules, defaults: { lastPointOffset: 0 } });
    const first = await Promise.allSettled(rules.map((r) => get(b.instance, r.name)));
    expect(first.map((r) => r.status)).toEqual(rules.map((r) => (r === BAD ? 'rejected' : 'fulfilled')));
    // Batches [4 good], [bad + 3 good] (400: bisected to [bad, good] then [bad]), [1 good].
    const initial = double.queryCalls();
    expect(initial).toBe(7);
    expect(b.rec.gauges.get('rejected_queries')).toBe(1);

    // The HPA keeps asking while the loop refreshes: at least 20 refreshes (2 good batches each).
    let asked = 0;
    await waitFor(
      '20 refreshes',
      async () => {
        for (const r of rules) await get(b.instance, r.name).catch(() => undefined);
        asked++;
        return double.queryCalls() - initial >= 40;
      },
      60_000,
      20,
    );
    await b.instance.close!();
    expect(asked).toBeGreaterThan(1);
    const later = double.calls.slice(initial);
    const badCalls = later.filter((c) => c.queries.some(isBad));
    const goodCalls = later.filter((c) => !c.queries.some(isBad));
    // The bad query only ever travels alone; the good ones stay in full batches that succeed.
    for (const c of badCalls) expect(c.queries).toHaveLength(1);
    for (const c of badCalls) expect(c.status).toBe(400);
    for (const c of goodCalls) expect([c.queries.length, c.status]).toEqual([4, 200]);
    // Cost: the refreshes' good batches plus the bad query's backoff-paced retries (the wait
    // doubles from one refresh interval, so about log2(refreshes) of them), never a bisection again.
    const refreshes = Math.ceil(goodCalls.length / 2);
    expect(badCalls.length).toBeGreaterThanOrEqual(1);
    expect(goodCalls.length).toBeGreaterThanOrEqual(40 - badCalls.length);
    expect(badCalls.length).toBeLessThanOrEqual(Math.ceil(Math.log2(refreshes)) + 3);
    expect(later.length).toBeLessThanOrEqual(2 * refreshes + Math.ceil(Math.log2(refreshes)) + 3);
    // Reported: counted per rejection, a gauge of isolated queries, one warning for the state change.
    expect(b.rec.counts.get('query_rejected')).toBe(1 + badCalls.length);
    expect(b.rec.gauges.get('rejected_queries')).toBe(1);
    expect(b.rec.logs.filter((l) => l.startsWith('warn') && l.includes('datadog rejected a query'))).toHaveLength(1);
  });

  it('answers every request for the rejected metric with a 503 carrying Datadog\'s error text and when it is retried, without a call', async () => {
    double.setResolver(() => [{ tags: [], points: [[Date.now() - 20_000, 1]] }]);
    double.setRejecter((q) => (isBad(q) ? DD_ERROR : undefined));
    const b = makeBackend(double, { maxQueriesPerCall: 4, external: rules });
    const first = await Promise.allSettled(rules.map((r) => get(b.instance, r.name)));
    // The very first rejection answers like the later ones: the query is isolated at once.
    const firstBad = first[rules.findIndex((r) => r === BAD)];
    expect(firstBad.status === 'rejected' && firstBad.reason).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    const calls = double.queryCalls();
    for (let i = 0; i < 5; i++) {
      const err = await failure(get(b.instance, 'bad'));
      // Issue #16 item 6: the isolated query's error on the metric's 503 (the HPA keeps its last
      // decision and retries), with Datadog's answer and when the query is tried again.
      expect(isMetricsError(err)).toBe(true);
      expect(err.code).toBe(503);
      expect((err as unknown as { reason: string }).reason).toBe('ServiceUnavailable');
      expect(err.message).toContain(`Datadog answered 400: queries[0].query: ${DD_ERROR}`);
      expect(err.message).toMatch(/retried alone in \d+s/);
      // Retry-After: when it is retried, at most MAX_RETRY_AFTER_SECONDS (a client honours it literally).
      expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(err.retryAfterSeconds).toBeLessThanOrEqual(MAX_RETRY_AFTER_SECONDS);
    }
    expect(double.queryCalls()).toBe(calls);
  });

  it('rejoins the batches once Datadog accepts it again, with one warning', async () => {
    double.setResolver(() => [{ tags: [], points: [[Date.now() - 20_000, 6]] }]);
    double.setRejecter((q) => (isBad(q) ? DD_ERROR : undefined));
    const b = makeBackend(double, { refreshIntervalSeconds: 0.05, rejectedQueryMaxBackoff: '200ms', maxQueriesPerCall: 4, external: rules, defaults: { lastPointOffset: 0 } });
    await Promise.allSettled(rules.map((r) => get(b.instance, r.name)));
    expect(b.rec.gauges.get('rejected_queries')).toBe(1);
    double.setRejecter(() => undefined);
    const items = await waitFor('the query accepted again', async () => get(b.instance, 'bad').catch(() => undefined), 30_000, 20);
    expect(items[0].value).toBe(6);
    const accepted = double.queryCalls();
    await waitFor('a batched refresh carrying it', async () => double.calls.slice(accepted).some((c) => c.queries.length > 1 && c.queries.some(isBad)), 30_000, 20);
    expect(b.rec.gauges.get('rejected_queries')).toBe(0);
    expect(b.rec.logs.filter((l) => l.startsWith('warn') && l.includes('accepts a previously rejected query again'))).toHaveLength(1);
  });
});

describe('item 7: noDataValue, else an answer that says no point was found', () => {
  it('no series: a 503 saying no point was found (not an empty list, not a 404); with noDataValue, that value', async () => {
    double.setResolver(() => []);
    const { instance } = makeBackend(double, {
      external: [
        { name: 'depth', metric: 'q.depth' },
        { name: 'filled', metric: 'q.depth', tags: ['k:v'], noDataValue: 0 },
      ],
    });
    const err = await failure(get(instance, 'depth'));
    expect(err.code).toBe(503);
    expect(err.message).toContain('no point found: Datadog has no point of external metric depth in the last 300s');
    expect(err.message).toContain('set noDataValue on the rule');
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const items = await get(instance, 'filled');
    expect(items).toMatchObject([{ metricName: 'filled', metricLabels: null, value: 0 }]);
    expect(Math.abs(items[0].timestamp.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('only null points count as no point; a stale point gets noDataValue while Datadog answers', async () => {
    const now = Date.now();
    double.setResolver((q) => (q.includes('nulls') ? [{ tags: [], points: [[now - 20_000, null], [now - 10_000, null]] }] : [{ tags: [], points: [[now - 250_000, 4]] }]));
    const { instance } = makeBackend(double, {
      external: [
        { name: 'nulls', metric: 'q.nulls' },
        { name: 'nulls-filled', metric: 'q.nulls', tags: ['k:v'], noDataValue: 1.5 },
        { name: 'stale-filled', metric: 'q.stale', noDataValue: 2 },
      ],
    });
    expect(await failure(get(instance, 'nulls'))).toMatchObject({ code: 503, message: expect.stringContaining('no point found') as unknown });
    expect(await get(instance, 'nulls-filled')).toMatchObject([{ value: 1.5 }]);
    expect(await get(instance, 'stale-filled')).toMatchObject([{ value: 2 }]);
  });

  it('never hides a Datadog failure: unreachable is still a 503 with noDataValue set', async () => {
    double.script(...Array.from({ length: 2 }, () => ({ status: 503, body: { errors: ['Service Unavailable'] } })));
    const { instance } = makeBackend(double, { retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 10 }, external: [{ name: 'depth', metric: 'q.depth', noDataValue: 0 }] });
    expect(await failure(get(instance))).toMatchObject({ code: 503 });
  });

  it('custom metrics: objects without a point get noDataValue, else a 503 saying no point; an object that does not exist is still a 404', async () => {
    const now = Date.now();
    const pods: GroupResource = { group: '', resource: 'pods' };
    const gvk = { group: '', version: 'v1', kind: 'Pod' };
    const kube = staticKube(['web-1', 'web-2'].map((name) => ({ name, namespace: 'default', labels: {}, annotations: {}, gvk, resource: pods })));
    double.setResolver(() => [{ tags: ['pod_name:web-1'], points: [[now - 20_000, 4]] }]);
    const info = { groupResource: pods, namespaced: true, metric: 'rps' };
    const list = (i: BackendInstance) => i.custom!.getMetricBySelector({ namespace: 'default', selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: neverAborted });
    const byName = (i: BackendInstance, name: string) => i.custom!.getMetricByName({ namespace: 'default', name, info, metricSelector: Selector.everything(), signal: neverAborted });

    const filled = makeBackend(double, { custom: [{ name: 'rps', resource: 'pods', objectTag: 'pod_name', metric: 'app.rps', lastPointOffset: 0, noDataValue: 0 }] }, {}, kube);
    expect((await list(filled.instance)).map((v) => [v.describedObject.name, v.value])).toEqual([['web-1', 4], ['web-2', 0]]);
    expect(await byName(filled.instance, 'web-2')).toMatchObject({ value: 0 });
    expect(await failure(byName(filled.instance, 'no-such-pod'))).toMatchObject({ code: 404 });

    double.setResolver(() => []);
    const plain = makeBackend(double, { custom: [{ name: 'rps', resource: 'pods', objectTag: 'pod_name', metric: 'app.rps' }] }, {}, kube);
    const err = await failure(list(plain.instance));
    expect(err.code).toBe(503);
    expect(err.message).toContain('no point found: Datadog has no point of rps for any of the 2 pods selected');
    const one = await failure(byName(plain.instance, 'web-2'));
    expect(one.code).toBe(503);
    expect(one.message).toContain('Datadog has no point of rps for pods web-2');
    expect(await failure(byName(plain.instance, 'no-such-pod'))).toMatchObject({ code: 404 });
  });
});

describe('item 7 on the Cluster Agent naming convention (no rule, so no noDataValue)', () => {
  it('no point: a 503 whose advice fits the convention (no rule field to set)', async () => {
    double.setResolver(() => []);
    const { instance } = makeBackend(double, { clusterAgentConvention: { enabled: true } });
    const err = await failure(get(instance, 'nginx.net.request_per_s'));
    expect(err.code).toBe(503);
    expect(err.message).toContain('no point found: Datadog has no point of external metric nginx.net.request_per_s');
    expect(err.message).toContain('the Cluster Agent naming convention serves no fallback value');
    expect(err.message).not.toContain('noDataValue on the rule');
  });
});
