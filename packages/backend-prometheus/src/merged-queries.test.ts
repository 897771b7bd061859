import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backendFailure, isMetricsError, parseSelector, ResponseTooLargeError, Selector } from '@custom-metrics/core';
import type { BackendInstance, CustomMetricsProvider, KubeObject, MetricValue } from '@custom-metrics/core';
import { fakeBackendContext, FakeKubeLookup } from '@custom-metrics/core/testing';
import { indexMergedAnswer } from './merged-queries.js';
import { createPrometheusBackend } from './plugin.js';
import { FakePrometheusClient, type FakeSeries } from './testing/index.js';

const T = 1_700_000_000_000;
const PODS = { group: '', resource: 'pods' };
const NODES = { group: '', resource: 'nodes' };

const pod = (namespace: string, name: string, app: string): KubeObject => ({ gvk: { group: '', version: 'v1', kind: 'Pod' }, name, namespace, labels: { app }, annotations: {} });
const node = (name: string): KubeObject => ({ gvk: { group: '', version: 'v1', kind: 'Node' }, name, labels: {}, annotations: {} });

const rules = (metricsQuery = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)') => [
  {
    seriesQuery: '{__name__="requests"}',
    resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' }, node: { resource: 'node' } } },
    metricsQuery,
  },
];

function backend(series: FakeSeries[], objects: KubeObject[], config: Record<string, unknown> = {}) {
  let now = T;
  const client = new FakePrometheusClient();
  client.serve(series);
  const ctx = fakeBackendContext({ kube: new FakeKubeLookup({ objects }) });
  const instance = createPrometheusBackend(ctx, { url: 'http://127.0.0.1:1', rules: rules(), ...config }, { client, now: () => now }) as BackendInstance & {
    custom: CustomMetricsProvider;
  };
  return {
    client,
    ctx,
    instance,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const signal = () => new AbortController().signal;
const values = (vs: MetricValue[]) => vs.map((v) => v.value).sort((a, b) => a - b);
const bySelector = (i: { custom: CustomMetricsProvider }, namespace: string, selector: string, metricSelector = Selector.everything()) =>
  i.custom.getMetricBySelector({ namespace, selector: parseSelector(selector), info: { groupResource: PODS, namespaced: true, metric: 'requests' }, metricSelector, signal: signal() });
const byName = (i: { custom: CustomMetricsProvider }, namespace: string, name: string, metricSelector = Selector.everything()) =>
  i.custom.getMetricByName({ namespace, name, info: { groupResource: PODS, namespaced: true, metric: 'requests' }, metricSelector, signal: signal() });

/** A comparable form of an answer: values by object, or the error's status code. */
async function outcome(p: Promise<MetricValue | MetricValue[]>): Promise<unknown> {
  try {
    const v = await p;
    return (Array.isArray(v) ? v : [v]).map((m) => [m.describedObject.namespace, m.describedObject.name, m.value, m.metric.selector]).sort();
  } catch (e) {
    if (isMetricsError(e)) return e.code;
    throw e;
  }
}

describe('indexMergedAnswer', () => {
  it('keys finite samples by namespace and name, skips nameless and counts non-finite ones', () => {
    const s = (labels: Record<string, string>, value: number) => ({ labels, value, timestampMs: T });
    const { index, dropped } = indexMergedAnswer(
      [s({ namespace: 'a', pod: 'x' }, 1), s({ namespace: 'b', pod: 'x' }, 2), s({ namespace: 'a', pod: 'y' }, NaN), s({ namespace: 'a' }, 3), s({ namespace: 'a', pod: '' }, 4)],
      'pod',
      'namespace',
    );
    expect([...index].map(([ns, names]) => [ns, [...names.keys()]])).toEqual([
      ['a', ['x']],
      ['b', ['x']],
    ]);
    expect(index.get('b')?.get('x')?.value).toBe(2);
    expect(dropped).toBe(1);
    expect(indexMergedAnswer([s({ node: 'n1' }, 1)], 'node', undefined).index.get('')?.get('n1')?.value).toBe(1);
  });
});

describe('merged per-metric queries (query.coalesce)', () => {
  const NAMESPACES = ['a', 'b', 'empty'];
  const NAMES = ['web-1', 'web-2', 'db-1'];
  const VERBS = ['GET', 'POST'];
  const METRIC_SELECTORS = ['', 'verb=GET', 'verb!=GET', 'verb in (GET,POST)', 'verb notin (POST)', 'verb', '!verb'];

  it('answers exactly what the per-request queries answer (random series, objects and selectors)', async () => {
    const seriesArb = fc.array(
      fc.record({
        namespace: fc.constantFrom('a', 'b', 'c', ''),
        pod: fc.constantFrom(...NAMES, ''),
        verb: fc.constantFrom(...VERBS, ''),
        value: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constant(NaN)),
      }),
      { maxLength: 30 },
    );
    const objectsArb = fc.uniqueArray(fc.record({ namespace: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...NAMES), app: fc.constantFrom('web', 'db') }), {
      selector: (o) => `${o.namespace}/${o.name}`,
      maxLength: 9,
    });
    await fc.assert(
      fc.asyncProperty(seriesArb, objectsArb, fc.constantFrom(...METRIC_SELECTORS), async (raw, objs, metricSel) => {
        const series: FakeSeries[] = raw.map((r) => {
          const labels: Record<string, string> = { __name__: 'requests' };
          if (r.namespace) labels.namespace = r.namespace;
          if (r.pod) labels.pod = r.pod;
          if (r.verb) labels.verb = r.verb;
          return { labels, value: r.value, timestampMs: T };
        });
        // Discovery must list the metric for pods even when the random series do not.
        series.push({ labels: { __name__: 'requests', namespace: 'z', pod: 'seed' }, value: 1, timestampMs: T });
        const objects = objs.map((o) => pod(o.namespace, o.name, o.app));
        const on = backend(series, objects);
        const off = backend(series, objects, { query: { coalesce: false } });
        await on.instance.start?.();
        await off.instance.start?.();
        const ms = metricSel === '' ? Selector.everything() : parseSelector(metricSel);
        for (const ns of NAMESPACES) {
          for (const sel of ['app=web', 'app=db', '']) {
            expect(await outcome(bySelector(on.instance, ns, sel, ms))).toEqual(await outcome(bySelector(off.instance, ns, sel, ms)));
          }
          for (const name of NAMES) expect(await outcome(byName(on.instance, ns, name, ms))).toEqual(await outcome(byName(off.instance, ns, name, ms)));
        }
        // Every request of the window was answered from one merged query (the cache's default 5 s).
        expect(new Set(on.client.queries).size).toBe(1);
        expect(on.client.queries).toHaveLength(1);
        await on.instance.close?.();
        await off.instance.close?.();
      }),
      { numRuns: 60 },
    );
  });

  it('one query per metric and window: the next window queries again; every request counts as a merged answer', async () => {
    const series = ['a', 'b'].flatMap((ns) => NAMES.map((p, i) => ({ labels: { __name__: 'requests', namespace: ns, pod: p }, value: i + 1, timestampMs: T })));
    const objects = ['a', 'b'].flatMap((ns) => NAMES.map((p) => pod(ns, p, p.startsWith('web') ? 'web' : 'db')));
    const { instance, client, ctx, advance } = backend(series, objects);
    await instance.start?.();
    for (const ns of ['a', 'b']) for (const sel of ['app=web', 'app=db']) await bySelector(instance, ns, sel);
    await byName(instance, 'b', 'db-1');
    expect(client.queries).toEqual(['sum(requests{namespace!="",pod!=""}) by (namespace,pod)']);
    expect(ctx.metrics.counters.get('coalesce_queries')).toBe(1);
    expect(ctx.metrics.counters.get('coalesce_answers')).toBe(5);
    advance(5_001);
    expect((await bySelector(instance, 'a', 'app=web')).map((v) => v.value)).toEqual([1, 2]);
    expect(client.queries).toHaveLength(2);
    // A different metric selector is a different merged query.
    await bySelector(instance, 'a', 'app=web', parseSelector('verb=GET'));
    expect(client.queries[2]).toBe('sum(requests{verb="GET",namespace!="",pod!=""}) by (namespace,pod)');
    await instance.close?.();
  });

  it('concurrent requests share the merged query in flight, also with cache.ttl 0s', async () => {
    const series = NAMES.map((p) => ({ labels: { __name__: 'requests', namespace: 'a', pod: p }, value: 1, timestampMs: T }));
    const { instance, client } = backend(series, NAMES.map((p) => pod('a', p, 'web')), { cache: { ttl: '0s' } });
    await instance.start?.();
    await Promise.all(NAMES.map((n) => byName(instance, 'a', n)));
    expect(client.queries).toHaveLength(1);
    await instance.close?.();
  });

  it('cluster-scoped resources (nodes) are grouped by the resource label alone', async () => {
    const series = [
      { labels: { __name__: 'requests', node: 'n1' }, value: 4, timestampMs: T },
      { labels: { __name__: 'requests', node: 'n2' }, value: 5, timestampMs: T },
    ];
    const { instance, client } = backend(series, [node('n1'), node('n2')]);
    await instance.start?.();
    const v = await instance.custom.getMetricByName({ namespace: '', name: 'n2', info: { groupResource: NODES, namespaced: false, metric: 'requests' }, metricSelector: Selector.everything(), signal: signal() });
    expect(v.value).toBe(5);
    expect(client.queries).toEqual(['sum(requests{node!=""}) by (node)']);
    await instance.close?.();
  });

  it('a template that does not qualify is queried per request', async () => {
    const series = [{ labels: { __name__: 'requests', namespace: 'a', pod: 'web-1' }, value: 2, timestampMs: T }];
    const { instance, client } = backend(series, [pod('a', 'web-1', 'web')], { rules: rules('<<.Series>>{<<.LabelMatchers>>}') });
    await instance.start?.();
    expect((await bySelector(instance, 'a', 'app=web')).map((v) => v.value)).toEqual([2]);
    expect(client.queries).toEqual(['requests{namespace="a",pod="web-1"}']);
    await instance.close?.();
  });

  describe('falls back to per-request queries for the metric, logged once, counted', () => {
    const series = NAMES.map((p, i) => ({ labels: { __name__: 'requests', namespace: 'a', pod: p }, value: i, timestampMs: T }));
    const objects = NAMES.map((p) => pod('a', p, 'web'));
    const MERGED = 'sum(requests{namespace!="",pod!=""}) by (namespace,pod)';

    it.each([
      ['an answer past maxResponseBytes', () => new ResponseTooLargeError(1024)],
      ['a query Prometheus rejects', () => backendFailure('rejected')],
    ])('%s: per-request answers, then merged again after discovery.interval', async (_, error) => {
      const { instance, client, ctx, advance } = backend(series, objects, { discovery: { interval: '1m' } });
      const serve = client.onQuery!;
      client.onQuery = (q) => {
        if (q === MERGED) throw error();
        return serve(q);
      };
      await instance.start?.();
      expect(values(await bySelector(instance, 'a', 'app=web'))).toEqual([0, 1, 2]);
      expect((await byName(instance, 'a', 'db-1')).value).toBe(2);
      expect(client.queries).toEqual([MERGED, 'sum(requests{namespace="a",pod=~"db-1|web-1|web-2"}) by (pod)', 'sum(requests{namespace="a",pod="db-1"}) by (pod)']);
      expect(ctx.metrics.counters.get('coalesce_fallbacks')).toBe(1);
      expect(ctx.logger.records.filter((r) => r.msg?.startsWith('merged query not used')).length).toBe(1);
      advance(60_001);
      client.onQuery = serve;
      await bySelector(instance, 'a', 'app=web');
      expect(client.queries.at(-1)).toBe(MERGED);
      await instance.close?.();
    });

    it('an unreachable Prometheus is a 503, as per request (no second query)', async () => {
      const { instance, client } = backend(series, objects);
      await instance.start?.();
      client.failWith = backendFailure('unreachable');
      await expect(bySelector(instance, 'a', 'app=web')).rejects.toMatchObject({ code: 503 });
      expect(client.queries).toEqual([MERGED]);
      await instance.close?.();
    });

    it('more series than query.coalesceMaxSeries: this answer is used, the next windows query per request', async () => {
      const { instance, client, ctx, advance } = backend(series, objects, { query: { coalesceMaxSeries: 2 } });
      await instance.start?.();
      expect(values(await bySelector(instance, 'a', 'app=web'))).toEqual([0, 1, 2]);
      expect(client.queries).toEqual([MERGED]);
      expect(ctx.metrics.counters.get('coalesce_fallbacks')).toBe(1);
      advance(5_001);
      await bySelector(instance, 'a', 'app=web');
      expect(client.queries[1]).toBe('sum(requests{namespace="a",pod=~"db-1|web-1|web-2"}) by (pod)');
      await instance.close?.();
    });

    it('a merged request larger than query.maxRequestBytes', async () => {
      const { instance, client, ctx } = backend(series, objects, { query: { maxRequestBytes: 256 } });
      await instance.start?.();
      const big = parseSelector(`verb notin (${Array.from({ length: 30 }, (_, i) => `v${i}`).join(',')})`);
      expect(values(await bySelector(instance, 'a', 'app=web', big))).toEqual([0, 1, 2]);
      expect(client.queries.every((q) => !q.includes('pod!=""'))).toBe(true);
      expect(ctx.metrics.counters.get('coalesce_fallbacks')).toBe(1);
      await instance.close?.();
    });
  });

  it('query.coalesce: false queries per request', async () => {
    const series = [{ labels: { __name__: 'requests', namespace: 'a', pod: 'web-1' }, value: 2, timestampMs: T }];
    const { instance, client } = backend(series, [pod('a', 'web-1', 'web')], { query: { coalesce: false } });
    await instance.start?.();
    await bySelector(instance, 'a', 'app=web');
    expect(client.queries).toEqual(['sum(requests{namespace="a",pod="web-1"}) by (pod)']);
    await instance.close?.();
  });
});
