// Merged per-metric queries (query.coalesce) against the REAL Prometheus binary: two backend
// instances on the same Prometheus — one merging, one querying per request (query.coalesce: false)
// — must give the same answers for every kind of request (Pods `*` with label selectors, Pods by
// name, Object metrics on a Deployment, Namespace metrics, metricLabelSelector including `!=` and
// `notin`, a namespace whose objects have no series, pods with the same name in two namespaces),
// while the merging one sends one query per metric and metric selector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetricsError, parseSelector, Selector } from '@custom-metrics/core';
import type { BackendInstance, CustomMetricsProvider, GroupResource, KubeObject, MetricValue } from '@custom-metrics/core';
import { fakeBackendContext, FakeKubeLookup, type FakeBackendContext } from '@custom-metrics/core/testing';
import { createPrometheusBackend } from '../src/plugin.js';
import { requireBinary, waitFor } from '../../../test-support/index.js';
import { startExporter, type ExposedSeries, type TestExporter } from './support/exporter.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus.js';

const bin = requireBinary('prometheus', 'apt-get install prometheus');

const PODS: GroupResource = { group: '', resource: 'pods' };
const DEPLOYMENTS: GroupResource = { group: 'apps', resource: 'deployments' };
const NAMESPACES: GroupResource = { group: '', resource: 'namespaces' };
const OVERRIDES = { namespace: { resource: 'namespace' }, pod: { resource: 'pod' }, deployment: { group: 'apps', resource: 'deployment' } };

const config = (url: string, coalesce: boolean) => ({
  url,
  timeout: '5s',
  discovery: { interval: '1m', lookback: '5m' },
  query: { coalesce },
  rules: [
    { seriesQuery: '{__name__="co_requests"}', resources: { overrides: OVERRIDES }, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' },
    {
      seriesQuery: '{__name__="co_latency"}',
      resources: { overrides: OVERRIDES },
      metricsQuery: 'max(max_over_time(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)',
    },
    {
      seriesQuery: '{__name__="co_errors"}',
      resources: { overrides: OVERRIDES },
      name: { as: 'co_error_ratio' },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>) / sum(co_requests{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    },
  ],
});

const pod = (namespace: string, name: string, app: string): KubeObject => ({ gvk: { group: '', version: 'v1', kind: 'Pod' }, name, namespace, labels: { app }, annotations: {} });
const deployment = (namespace: string, name: string): KubeObject => ({ gvk: { group: 'apps', version: 'v1', kind: 'Deployment' }, name, namespace, labels: {}, annotations: {} });

// Namespaces `shop` and `blog` both have pods `web-1`/`web-2` (same names, other values);
// `quiet` has pods but no series; `blog` has a pod without series (web-3) and a NaN one (db-1).
const objects: KubeObject[] = [
  ...['shop', 'blog', 'quiet'].flatMap((ns) => [pod(ns, 'web-1', 'web'), pod(ns, 'web-2', 'web'), pod(ns, 'db-1', 'db')]),
  pod('blog', 'web-3', 'web'),
  deployment('shop', 'web'),
  deployment('quiet', 'web'),
];
const series: ExposedSeries[] = [];
for (const [ns, base] of [['shop', 10], ['blog', 100]] as const) {
  for (const [i, p] of ['web-1', 'web-2', 'db-1'].entries()) {
    for (const [j, verb] of ['GET', 'POST', 'DELETE'].entries()) {
      const v = ns === 'blog' && p === 'db-1' && verb === 'GET' ? NaN : base + i * 3 + j;
      series.push({ name: 'co_requests', labels: { namespace: ns, pod: p, verb }, value: v });
      series.push({ name: 'co_errors', labels: { namespace: ns, pod: p, verb }, value: (i + j) % 3 });
    }
    series.push({ name: 'co_latency', labels: { namespace: ns, pod: p, container: 'app' }, value: base / 10 + i });
    series.push({ name: 'co_latency', labels: { namespace: ns, pod: p, container: 'sidecar' }, value: base / 20 + i });
  }
  series.push({ name: 'co_requests', labels: { namespace: ns, deployment: 'web', verb: 'GET' }, value: base * 2 });
}
// A series with no pod label and one in a namespace no request asks for.
series.push({ name: 'co_requests', labels: { namespace: 'shop', verb: 'GET' }, value: 7 });
series.push({ name: 'co_requests', labels: { namespace: 'elsewhere', pod: 'web-1', verb: 'GET' }, value: 999 });

const METRICS = ['co_requests', 'co_latency', 'co_error_ratio'];
const METRIC_SELECTORS = ['', 'verb=GET', 'verb!=GET', 'verb in (GET,POST)', 'verb notin (POST)'];

type Instance = BackendInstance & { custom: CustomMetricsProvider };

/** A comparable form of an answer: [namespace, name, value, selector] per value, or the status code. */
async function outcome(p: Promise<MetricValue | MetricValue[]>): Promise<unknown> {
  try {
    const v = await p;
    return (Array.isArray(v) ? v : [v]).map((m) => [m.describedObject.namespace, m.describedObject.name, m.value, JSON.stringify(m.metric.selector)]).sort();
  } catch (e) {
    if (isMetricsError(e)) return e.code;
    throw e;
  }
}

describe.skipIf(!bin)('merged per-metric queries against a real Prometheus', () => {
  let exporter: TestExporter;
  let prom: PrometheusProcess;
  let merged: Instance;
  let perRequest: Instance;
  let mergedCtx: FakeBackendContext;
  let perRequestCtx: FakeBackendContext;

  beforeAll(async () => {
    exporter = await startExporter(series);
    prom = await startPrometheus(bin as string, exporter.port);
    await waitFor('the first scrape of every test series', async () => (await prom.query('count({__name__=~"co_.*"})'))[0]?.value === series.length, 30_000, 250);
    mergedCtx = fakeBackendContext({ kube: new FakeKubeLookup({ objects }) });
    perRequestCtx = fakeBackendContext({ kube: new FakeKubeLookup({ objects }) });
    merged = createPrometheusBackend(mergedCtx, config(prom.url, true)) as Instance;
    perRequest = createPrometheusBackend(perRequestCtx, config(prom.url, false)) as Instance;
    await merged.start?.();
    await perRequest.start?.();
  });

  afterAll(async () => {
    await merged?.close?.();
    await perRequest?.close?.();
    await prom?.dispose();
    await exporter?.stop();
  });

  const signal = () => new AbortController().signal;
  const queries = (ctx: FakeBackendContext) => ctx.metrics.calls.filter((c) => c.operation === 'query').length;

  it('gives the per-request answers for every request, with one query per metric and metric selector', async () => {
    const before = { merged: queries(mergedCtx), perRequest: queries(perRequestCtx) };
    let requests = 0;
    const ask = async (f: (i: Instance) => Promise<MetricValue | MetricValue[]>, what: string) => {
      requests++;
      const [a, b] = [await outcome(f(merged)), await outcome(f(perRequest))];
      expect(a, what).toEqual(b);
      return a;
    };
    const answered = new Set<string>();
    for (const metric of METRICS) {
      for (const ms of METRIC_SELECTORS) {
        const metricSelector = ms === '' ? Selector.everything() : parseSelector(ms);
        for (const ns of ['shop', 'blog', 'quiet']) {
          for (const sel of ['app=web', 'app=db', '']) {
            const got = await ask(
              (i) => i.custom.getMetricBySelector({ namespace: ns, selector: parseSelector(sel), info: { groupResource: PODS, namespaced: true, metric }, metricSelector, signal: signal() }),
              `${metric} ${ms} pods in ${ns} ${sel}`,
            );
            if (Array.isArray(got) && got.length > 0) answered.add(ns);
          }
          for (const name of ['web-1', 'web-2', 'web-3', 'db-1']) {
            await ask(
              (i) => i.custom.getMetricByName({ namespace: ns, name, info: { groupResource: PODS, namespaced: true, metric }, metricSelector, signal: signal() }),
              `${metric} ${ms} pod ${ns}/${name}`,
            );
          }
          await ask(
            (i) => i.custom.getMetricByName({ namespace: ns, name: 'web', info: { groupResource: DEPLOYMENTS, namespaced: true, metric }, metricSelector, signal: signal() }),
            `${metric} ${ms} deployment ${ns}/web`,
          );
          await ask(
            (i) => i.custom.getMetricByName({ namespace: '', name: ns, info: { groupResource: NAMESPACES, namespaced: false, metric }, metricSelector, signal: signal() }),
            `${metric} ${ms} namespace ${ns}`,
          );
        }
      }
    }
    // Both namespaces with series answered something; `quiet` (no series) never did.
    expect([...answered].sort()).toEqual(['blog', 'shop']);
    const sent = { merged: queries(mergedCtx) - before.merged, perRequest: queries(perRequestCtx) - before.perRequest };
    // Per request: a query for each request that has objects. Merged: at most one per (metric,
    // metric selector, resource) and cache window — pods, deployments, namespaces — (×2 should a
    // 5 s window end during the run).
    const groups = METRICS.length * METRIC_SELECTORS.length * 3;
    expect(sent.merged).toBeLessThanOrEqual(groups * 2);
    expect(sent.perRequest).toBeGreaterThan(requests / 2);
    expect(sent.merged * 5).toBeLessThan(sent.perRequest);
    expect(mergedCtx.metrics.counters.get('coalesce_answers')).toBeGreaterThan(0);
    expect(mergedCtx.metrics.counters.get('coalesce_fallbacks') ?? 0).toBe(0);
  });

  it('the merged answer of a metric holds every namespace: one query serves pods of all namespaces', async () => {
    const ctx = fakeBackendContext({ kube: new FakeKubeLookup({ objects }) });
    const fresh = createPrometheusBackend(ctx, config(prom.url, true)) as Instance;
    await fresh.start?.();
    try {
      const before = queries(ctx);
      const all = await Promise.all(
        ['shop', 'blog', 'quiet'].map((ns) =>
          fresh.custom.getMetricBySelector({ namespace: ns, selector: parseSelector('app=web'), info: { groupResource: PODS, namespaced: true, metric: 'co_requests' }, metricSelector: Selector.everything(), signal: signal() }),
        ),
      );
      expect(queries(ctx) - before).toBe(1);
      expect(all.map((vs) => vs.map((v) => `${v.describedObject.namespace}/${v.describedObject.name}=${v.value}`).sort())).toEqual([
        ['shop/web-1=33', 'shop/web-2=42'],
        ['blog/web-1=303', 'blog/web-2=312'],
        [],
      ]);
    } finally {
      await fresh.close?.();
    }
  });
});
