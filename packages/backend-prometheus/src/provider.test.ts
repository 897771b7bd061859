import { describe, expect, it } from 'vitest';
import { isMetricsError, parseSelector, ServiceUnavailableError, Selector } from '@custom-metrics/core';
import type { BackendInstance, CustomMetricsProvider, ExternalMetricsProvider, KubeObject, ResourceMetricsProvider } from '@custom-metrics/core';
import { fakeBackendContext, FakeKubeLookup } from '@custom-metrics/core/testing';
import type { Sample } from './client.js';
import { FakePrometheusClient } from './testing/index.js';
import { createPrometheusBackend } from './plugin.js';

const pod = (namespace: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name,
  namespace,
  labels,
  annotations: {},
});
const node = (name: string): KubeObject => ({ gvk: { group: '', version: 'v1', kind: 'Node' }, name, labels: {}, annotations: {} });

const RULES = {
  rules: [
    {
      seriesQuery: '{namespace!="",pod!=""}',
      resources: { template: '<<.Resource>>' },
      name: { matches: '^(.*)_total$' },
      metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)',
    },
    {
      seriesQuery: '{__name__="queue_length"}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    },
  ],
  externalRules: [{ seriesQuery: '{__name__="Queue_Depth"}', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)' }],
  resourceRules: {
    cpu: {
      containerQuery: 'sum(rate(cpu{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)',
      nodeQuery: 'sum(rate(cpu{<<.LabelMatchers>>,id="/"}[1m])) by (<<.GroupBy>>)',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' }, node: { resource: 'node' } } },
      containerLabel: 'container',
    },
    memory: {
      containerQuery: 'sum(mem{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      nodeQuery: 'sum(mem{<<.LabelMatchers>>,id="/"}) by (<<.GroupBy>>)',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' }, node: { resource: 'node' } } },
      containerLabel: 'container',
    },
    window: '1m',
  },
};

const T = 1_700_000_000_000;
const sample = (labels: Record<string, string>, value: number): Sample => ({ labels, value, timestampMs: T });
const signal = () => new AbortController().signal;

function setup(extra: Record<string, unknown> = {}, objects: KubeObject[] = []) {
  let now = T;
  const client = new FakePrometheusClient({
    series: [
      { __name__: 'http_requests_total', namespace: 'default', pod: 'web-1' },
      { __name__: 'http_requests_total', namespace: 'default', pod: 'web-2' },
      { __name__: 'queue_length', namespace: 'default', pod: 'web-1' },
      { __name__: 'Queue_Depth', queue: 'orders', namespace: 'default' },
    ],
  });
  client.seriesMatches = (m, s) => (m.includes('queue_length') ? s.__name__ === 'queue_length' : m.includes('Queue_Depth') ? s.__name__ === 'Queue_Depth' : s.pod !== undefined && s.__name__ !== 'queue_length');
  const kube = new FakeKubeLookup({ objects });
  const ctx = fakeBackendContext({ kube });
  // These cases are about the per-request queries (their PromQL is asserted), so coalescing is off
  // unless a case turns it on; merged queries have their own tests in merged-queries.test.ts.
  const query = { coalesce: false, ...(extra.query as Record<string, unknown> | undefined) };
  const instance = createPrometheusBackend(ctx, { url: 'http://127.0.0.1:1', ...RULES, ...extra, query }, { client, now: () => now });
  return {
    client,
    ctx,
    instance: instance as BackendInstance & { custom: CustomMetricsProvider; external: ExternalMetricsProvider; resource: ResourceMetricsProvider },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (isMetricsError(e)) return e.code;
    throw e;
  }
  throw new Error('expected a MetricsError');
}

describe('Prometheus backend with a fake client', () => {
  it('discovers metrics per resource and lists them', async () => {
    const { instance, client } = setup();
    await instance.start?.();
    const list = instance.custom.listAllMetrics().map((i) => `${i.metric}@${i.groupResource.resource}:${i.namespaced}`).sort();
    expect(list).toEqual(['http_requests@namespaces:false', 'http_requests@pods:true', 'queue_length@namespaces:false', 'queue_length@pods:true']);
    expect(instance.external.listAllExternalMetrics()).toEqual([{ metric: 'Queue_Depth' }]);
    expect(instance.health?.()).toMatchObject({ healthy: true });
    // One /api/v1/series call per distinct seriesQuery, bounded by [now - lookback, now].
    expect(client.seriesCalls.map((c) => [c.matchers, c.start.getTime(), c.end.getTime()])).toEqual([
      [['{namespace!="",pod!=""}'], T - 60_000, T],
      [['{__name__="queue_length"}'], T - 60_000, T],
      [['{__name__="Queue_Depth"}'], T - 60_000, T],
    ]);
    await instance.close?.();
  });

  it('is pending until a discovery run has a series call succeed, then stays settled', async () => {
    const { instance, client } = setup();
    client.failWith = new Error('connect ECONNREFUSED');
    await instance.start?.();
    expect(instance.pending?.()).toBe('its metric discovery has not succeeded yet (3 of 3 series queries failed: Prometheus unreachable)');
    client.failWith = undefined;
    await instance.custom.getMetricBySelector({ namespace: 'default', selector: Selector.everything(), info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' }, metricSelector: Selector.everything(), signal: new AbortController().signal }).catch(() => undefined);
    expect(instance.pending?.()).toBeUndefined();
    // A later outage keeps what was discovered: no longer pending.
    client.failWith = new Error('connect ECONNREFUSED');
    await instance.custom.getMetricBySelector({ namespace: 'default', selector: Selector.everything(), info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'nope' }, metricSelector: Selector.everything(), signal: new AbortController().signal }).catch(() => undefined);
    expect(instance.pending?.()).toBeUndefined();
    await instance.close?.();
  });

  it('shares one series call between rules with the same seriesQuery', async () => {
    const { instance, client } = setup({ externalRules: [{ seriesQuery: '{__name__="queue_length"}', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})' }] });
    await instance.start?.();
    expect(client.seriesCalls).toHaveLength(2);
    expect(instance.external.listAllExternalMetrics()).toEqual([{ metric: 'queue_length' }]);
    await instance.close?.();
  });

  it('answers a * query for the pods KubeLookup returns, only those, with their values', async () => {
    const { instance, client } = setup({}, [pod('default', 'web-1', { app: 'web' }), pod('default', 'web-2', { app: 'web' }), pod('default', 'db', { app: 'db' })]);
    await instance.start?.();
    client.onQuery = () => [sample({ pod: 'web-1' }, 1.5), sample({ pod: 'web-2' }, 2), sample({ pod: 'other' }, 9)];
    const values = await instance.custom.getMetricBySelector({
      namespace: 'default',
      selector: parseSelector('app=web'),
      info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' },
      metricSelector: parseSelector('verb=GET'),
      signal: signal(),
    });
    expect(client.queries.at(-1)).toBe('sum(rate(http_requests_total{verb="GET",namespace="default",pod=~"web-1|web-2"}[1m])) by (pod)');
    expect(values.map((v) => [v.describedObject, v.value, v.metric])).toEqual([
      [{ kind: 'Pod', namespace: 'default', name: 'web-1', apiVersion: '/v1' }, 1.5, { name: 'http_requests', selector: { matchLabels: { verb: 'GET' } } }],
      [{ kind: 'Pod', namespace: 'default', name: 'web-2', apiVersion: '/v1' }, 2, { name: 'http_requests', selector: { matchLabels: { verb: 'GET' } } }],
    ]);
    await instance.close?.();
  });

  it('splits a large * query so no regex exceeds the limit, and merges the answers', async () => {
    const pods = Array.from({ length: 60 }, (_, i) => pod('default', `app-pod-${String(i).padStart(3, '0')}`));
    const { instance, client, ctx } = setup({ query: { maxRegexBytes: 100 } }, pods);
    await instance.start?.();
    client.onQuery = (q) => {
      const m = /pod=~"([^"]*)"|pod="([^"]*)"/.exec(q) as RegExpExecArray;
      const names = (m[1] ?? m[2]).split('|');
      return names.map((n) => sample({ pod: n }, Number(n.slice(-3))));
    };
    const values = await instance.custom.getMetricBySelector({
      namespace: 'default',
      selector: Selector.everything(),
      info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' },
      metricSelector: Selector.everything(),
      signal: signal(),
    });
    expect(values).toHaveLength(60);
    expect(values.map((v) => v.value)).toEqual(pods.map((_, i) => i));
    expect(client.queries.length).toBeGreaterThan(1);
    for (const q of client.queries) {
      const re = /pod=~"([^"]*)"/.exec(q);
      if (re) expect(Buffer.byteLength(re[1])).toBeLessThanOrEqual(100);
    }
    expect(ctx.metrics.counters.get('query_batches_split')).toBe(client.queries.length);
    await instance.close?.();
  });

  it('getMetricByName, namespace metrics, NaN dropped and counted, 404 for unknown', async () => {
    const { instance, client, ctx } = setup();
    await instance.start?.();
    client.answers.set('sum(queue_length{namespace="default",pod="web-1"}) by (pod)', [sample({ pod: 'web-1' }, 7)]);
    client.answers.set('sum(queue_length{namespace="default"}) by (namespace)', [sample({ namespace: 'default' }, 70)]);
    client.answers.set('sum(queue_length{namespace="default",pod="web-2"}) by (pod)', [sample({ pod: 'web-2' }, NaN)]);
    const byName = (namespace: string, name: string, resource: string, namespaced: boolean) =>
      instance.custom.getMetricByName({
        namespace,
        name,
        info: { groupResource: { group: '', resource }, namespaced, metric: 'queue_length' },
        metricSelector: Selector.everything(),
        signal: signal(),
      });
    expect((await byName('default', 'web-1', 'pods', true)).value).toBe(7);
    const ns = await byName('', 'default', 'namespaces', false);
    expect([ns.value, ns.describedObject]).toEqual([70, { kind: 'Namespace', name: 'default', apiVersion: '/v1' }]);
    expect(await statusOf(byName('default', 'web-2', 'pods', true))).toBe(404);
    expect(ctx.metrics.counters.get('samples_dropped_nonfinite')).toBe(1);
    const unknown = instance.custom.getMetricByName({
      namespace: 'default',
      name: 'x',
      info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'nope' },
      metricSelector: Selector.everything(),
      signal: signal(),
    });
    expect(await statusOf(unknown)).toBe(404);
    await instance.close?.();
  });

  it('rejects selectors PromQL cannot express (gt, dotted keys) with 400 before querying', async () => {
    const { instance, client } = setup();
    await instance.start?.();
    for (const sel of ['a>1', 'app.kubernetes.io/name=x']) {
      const p = instance.custom.getMetricByName({
        namespace: 'default',
        name: 'web-1',
        info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'queue_length' },
        metricSelector: parseSelector(sel),
        signal: signal(),
      });
      expect(await statusOf(p)).toBe(400);
    }
    expect(client.queries).toEqual([]);
    await instance.close?.();
  });

  it('caches identical queries for the TTL and disables caching with ttl 0', async () => {
    for (const [ttl, calls] of [['5s', 1], ['0s', 2]] as const) {
      const { instance, client, ctx } = setup({ cache: { ttl } });
      await instance.start?.();
      client.onQuery = () => [sample({}, 3)];
      const get = () =>
        instance.external.getExternalMetric({ namespace: 'default', metricSelector: Selector.everything(), info: { metric: 'queue_depth' }, signal: signal() });
      await get();
      await get();
      expect(client.queries).toHaveLength(calls);
      expect(client.queries[0]).toBe('sum(Queue_Depth{namespace="default"}) by (queue)');
      expect(ctx.metrics.cacheResults.hit).toBe(2 - calls);
      await instance.close?.();
    }
  });

  it('coalesces concurrent identical queries into one call', async () => {
    const { instance, client } = setup();
    await instance.start?.();
    client.onQuery = () => [sample({ queue: 'a' }, 1)];
    const get = () =>
      instance.external.getExternalMetric({ namespace: 'default', metricSelector: parseSelector('queue=a'), info: { metric: 'QUEUE_DEPTH' }, signal: signal() });
    const results = await Promise.all([get(), get(), get()]);
    expect(results.map((r) => r[0].value)).toEqual([1, 1, 1]);
    expect(client.queries).toEqual(['sum(Queue_Depth{queue="a",namespace="default"}) by (queue)']);
    await instance.close?.();
  });

  it('serves stale values on 503 only when enabled, counting them', async () => {
    for (const serveStale of ['0s', '1m']) {
      const { instance, client, ctx, advance } = setup({ cache: { ttl: '5s', serveStale } });
      await instance.start?.();
      client.onQuery = () => [sample({}, 3)];
      const get = () =>
        instance.external.getExternalMetric({ namespace: 'default', metricSelector: Selector.everything(), info: { metric: 'queue_depth' }, signal: signal() });
      await get();
      advance(10_000);
      client.failWith = new ServiceUnavailableError('down');
      if (serveStale === '0s') expect(await statusOf(get())).toBe(503);
      else {
        expect((await get())[0].value).toBe(3);
        expect(ctx.metrics.cacheResults.stale).toBe(1);
      }
      await instance.close?.();
    }
  });

  it('looks an undiscovered metric up on demand and drops metrics absent for max-age', async () => {
    const { instance, client, advance } = setup({ discovery: { maxAge: '5m', onDemandMinInterval: '10s' } });
    await instance.start?.();
    client.series_.push({ __name__: 'late_total', namespace: 'default', pod: 'web-1' });
    client.answers.set('sum(rate(late_total{namespace="default",pod="web-1"}[1m])) by (pod)', [sample({ pod: 'web-1' }, 4)]);
    const get = () =>
      instance.custom.getMetricByName({
        namespace: 'default',
        name: 'web-1',
        info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'late' },
        metricSelector: Selector.everything(),
        signal: signal(),
      });
    expect((await get()).value).toBe(4);
    client.series_ = client.series_.filter((s) => s.__name__ !== 'late_total');
    advance(60_000);
    await (instance as unknown as { custom: { backend: { discover(): Promise<void> } } }).custom.backend.discover();
    expect(instance.custom.listAllMetrics().some((i) => i.metric === 'late')).toBe(true);
    advance(5 * 60_000);
    await (instance as unknown as { custom: { backend: { discover(): Promise<void> } } }).custom.backend.discover();
    expect(instance.custom.listAllMetrics().some((i) => i.metric === 'late')).toBe(false);
    await instance.close?.();
  });

  it('bounds on-demand lookups: one coalesced relist for a flood of unknown names, each caller waits at most onDemandWait, then a negative cache', async () => {
    const { instance, client, ctx, advance } = setup({ discovery: { onDemandMinInterval: '10s', onDemandWait: '50ms' } });
    await instance.start?.();
    const seriesCalls = () => ctx.metrics.counters.get('discovery_on_demand') ?? 0;
    // The next relist hangs until released.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const series = client.series.bind(client);
    client.series = async (...args: Parameters<typeof client.series>) => {
      await gate;
      return series(...args);
    };
    const ask = (metric: string) =>
      instance.external.getExternalMetric({ namespace: 'default', info: { metric }, metricSelector: Selector.everything(), signal: signal() }).then(
        () => 'found',
        (e: unknown) => (isMetricsError(e) ? e.code : e),
      );
    advance(60_000);
    const flood = await Promise.all(Array.from({ length: 200 }, (_, i) => ask(`nope_${i}`)));
    expect(flood.every((r) => r === 404)).toBe(true);
    expect(seriesCalls()).toBe(1);
    expect(ctx.metrics.counters.get('discovery_on_demand_unfinished')).toBe(200);
    // The same names again while that relist still runs: answered from the negative cache, no wait.
    const again = await Promise.all(Array.from({ length: 200 }, (_, i) => ask(`nope_${i}`)));
    expect(again.every((r) => r === 404)).toBe(true);
    expect(ctx.metrics.counters.get('discovery_on_demand_cached_unknown')).toBe(200);
    expect(ctx.metrics.counters.get('discovery_on_demand_unfinished')).toBe(200);
    release();
    await (instance as unknown as { custom: { backend: { discover(): Promise<void> } } }).custom.backend.discover();
    // A known metric is never hidden by the cache; a new relist waits for the min interval.
    expect(await ask('queue_depth')).toBe('found');
    expect(seriesCalls()).toBe(1);
    await instance.close?.();
  });

  it('serves pod and node resource metrics from resourceRules', async () => {
    const { instance, client } = setup();
    await instance.start?.();
    client.onQuery = (q) => {
      if (q.startsWith('sum(rate(cpu{namespace')) return [sample({ pod: 'web-1', container: 'app' }, 0.25), sample({ pod: 'web-1', container: 'side' }, 0.01)];
      if (q.startsWith('sum(mem{namespace')) return [sample({ pod: 'web-1', container: 'app' }, 1048576), sample({ pod: 'web-1', container: 'side' }, 2048)];
      if (q.includes('node=')) return [sample({ node: 'n1' }, q.includes('cpu') ? 2 : 4096)];
      return [];
    };
    const pods = await instance.resource.getPodMetrics({ pods: [pod('default', 'web-1'), pod('default', 'gone')], signal: signal() });
    expect(client.queries).toContain('sum(rate(cpu{namespace="default",pod=~"web-1|gone"}[1m])) by (pod,container)');
    expect(pods[1]).toBeUndefined();
    expect(pods[0]?.containers).toEqual([
      { name: 'app', usage: { cpu: 0.25, memory: 1048576 } },
      { name: 'side', usage: { cpu: 0.01, memory: 2048 } },
    ]);
    expect(pods[0]?.windowSeconds).toBe(60);
    const nodes = await instance.resource.getNodeMetrics({ nodes: [node('n1')], signal: signal() });
    expect(nodes[0]?.usage).toEqual({ cpu: 2, memory: 4096 });
    expect(client.queries).toContain('sum(rate(cpu{node="n1",id="/"}[1m])) by (node)');
    await instance.close?.();
  });

  it('rejects an already-aborted request', async () => {
    const { instance } = setup();
    await instance.start?.();
    const c = new AbortController();
    c.abort(new Error('gone'));
    await expect(
      instance.external.getExternalMetric({ namespace: 'default', metricSelector: Selector.everything(), info: { metric: 'queue_depth' }, signal: c.signal }),
    ).rejects.toThrow('gone');
    await instance.close?.();
  });
});
