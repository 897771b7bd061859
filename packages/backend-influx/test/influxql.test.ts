// The InfluxQL path against a real influxd 1.x started by the harness: points written by line
// protocol are read back through the providers; hostile values; outage and recovery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetricsError, parseSelector, Selector } from '@custom-metrics/core';
import type { KubeObject } from '@custom-metrics/core';
import { fakeBackendContext, FakeKubeLookup } from '@custom-metrics/core/testing';
import { requireBinary } from '../../../test-support/index.js';
import { createInfluxBackend, createInfluxClient, resolveConfig, type InfluxBackendConfig, type InfluxQueryClient } from '../src/index.js';
import { lpLine, startInfluxd, type Influxd } from './support/influxd.js';
import { rawSelector } from './support/raw-selector.js';
import { scanInfluxQL, skeleton } from './support/scanners.js';

const bin = requireBinary('influxd', 'apt-get install influxdb');

const DB = 'metrics';
const NS = 'default';
const PODS = { group: '', resource: 'pods' };
const INFO = { groupResource: PODS, namespaced: true, metric: 'http_requests' };
const CUSTOM_QUERY =
  'SELECT last("value") FROM "http_requests" WHERE {{objectFilter}} AND {{namespaceFilter}} AND {{labelMatchers}} AND time > now() - {{window}} GROUP BY {{objectTag}}';
const EXTERNAL_QUERY = 'SELECT last("value") FROM "queue_depth" WHERE {{namespaceFilter}} AND {{labelMatchers}} AND time > now() - {{window}} GROUP BY *';

/** Names and a namespace that try to escape InfluxQL literals (all valid line-protocol tag values). */
const HOSTILE_NAMES = ["it's", "x' OR 'a'='a", 'a"b', 'a/b', '.*', ') OR (true', "' OR \"pod\" =~ /.*/ OR '"];
const HOSTILE_NS = "default' OR '1'='1";
const HOSTILE_VERB = "x' OR 'a'='a";

const pod = (name: string, labels: Record<string, string>, namespace = NS): KubeObject => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name,
  namespace,
  labels,
  annotations: {},
});
const OBJECTS: KubeObject[] = [
  pod('web-1', { app: 'web' }),
  pod('web-2', { app: 'web' }),
  pod('db-1', { app: 'db' }),
  pod('web-9', { app: 'web' }),
  pod('victim', { app: 'victim' }, 'evil'),
  ...HOSTILE_NAMES.map((n) => pod(n, { app: 'hostile' }, 'evil')),
];

describe.skipIf(!bin)('InfluxQL against a real influxd', () => {
  let influx: Influxd;
  const now = Date.now() - 1_000;
  const at = (offsetMs: number) => Math.floor((now + offsetMs) / 1000) * 1000;

  beforeAll(async () => {
    influx = await startInfluxd(bin!);
    await influx.exec(`CREATE DATABASE "${DB}"`);
    await influx.write(DB, [
      lpLine('http_requests', { namespace: NS, pod: 'web-1', verb: 'GET' }, 1, at(-20_000)),
      lpLine('http_requests', { namespace: NS, pod: 'web-1', verb: 'GET' }, 10, at(-10_000)),
      lpLine('http_requests', { namespace: NS, pod: 'web-1', verb: 'POST' }, 3, at(-30_000)),
      lpLine('http_requests', { namespace: NS, pod: 'web-2', verb: 'GET' }, 20.5, at(-5_000)),
      lpLine('http_requests', { namespace: NS, pod: 'db-1', verb: 'POST' }, 0, at(-5_000)),
      lpLine('http_requests', { namespace: 'other', pod: 'web-1', verb: 'GET' }, 99, at(-1_000)),
      lpLine('http_requests', { namespace: 'evil', pod: 'victim' }, 666, at(-1_000)),
      lpLine('http_requests', { namespace: 'evil', pod: 'victim', verb: HOSTILE_VERB }, 777, at(-500)),
      ...HOSTILE_NAMES.map((n, i) => lpLine('http_requests', { namespace: 'evil', pod: n }, 100 + i, at(-1_000))),
      lpLine('queue_depth', { namespace: 'team-a', queue: 'worker', env: 'prod' }, 5, at(-2_000)),
      lpLine('queue_depth', { namespace: 'team-a', queue: 'mailer' }, 7.25, at(-2_000)),
      lpLine('queue_depth', { namespace: 'team-b', queue: 'worker', env: 'prod' }, 50, at(-2_000)),
    ]);
  });
  afterAll(async () => {
    await influx?.dispose();
  });

  function backend(extra: Partial<InfluxBackendConfig> = {}) {
    const ctx = fakeBackendContext({ kube: new FakeKubeLookup({ objects: OBJECTS }) });
    const config: InfluxBackendConfig = {
      mode: 'influxql',
      url: influx.url,
      database: DB,
      timeoutMs: 3_000,
      cacheTtlMs: 0,
      custom: [{ resource: 'pods', metric: 'http_requests', objectTag: 'pod', query: CUSTOM_QUERY }],
      external: [{ metric: 'queue_depth', namespaced: true, query: EXTERNAL_QUERY }],
      ...extra,
    };
    const sent: string[] = [];
    const real = createInfluxClient(resolveConfig(config));
    const client: InfluxQueryClient = { query: (text, o) => (sent.push(text), real.query(text, o)) };
    return { ctx, sent, instance: createInfluxBackend(ctx, config, { client }) };
  }
  const bySelector = (instance: ReturnType<typeof backend>['instance'], namespace: string, selector: string, metricSelector = '') =>
    instance.custom!.getMetricBySelector({ namespace, selector: parseSelector(selector), info: INFO, metricSelector: parseSelector(metricSelector), signal: new AbortController().signal });
  const summary = (values: Array<{ describedObject: { name: string }; value: number }>) => values.map((v) => [v.describedObject.name, v.value]).sort();

  it('reads the latest value per object of the selected pods, with the row time as timestamp', async () => {
    const { instance, sent, ctx } = backend();
    const values = await bySelector(instance, NS, 'app=web');
    expect(summary(values)).toEqual([['web-1', 10], ['web-2', 20.5]]);
    // The query text goes with the call's latency to the server's debug page.
    expect(ctx.metrics.calls).toEqual([{ operation: 'query', seconds: expect.any(Number), outcome: 'success', query: sent[0] }]);
    expect(values.find((v) => v.describedObject.name === 'web-2')!.timestamp.getTime()).toBe(at(-5_000));
    expect(sent[0]).toBe(
      `SELECT last("value") FROM "http_requests" WHERE ("pod" = 'web-1' OR "pod" = 'web-2' OR "pod" = 'web-9') AND "namespace" = 'default' AND true AND time > now() - 5m GROUP BY "pod"`,
    );
  });

  it('honours metric selectors, including != and !key on tags', async () => {
    const { instance } = backend();
    expect(summary(await bySelector(instance, NS, '', 'verb=POST'))).toEqual([['db-1', 0], ['web-1', 3]]);
    expect(summary(await bySelector(instance, NS, '', 'verb!=GET'))).toEqual([['db-1', 0], ['web-1', 3]]);
    expect(summary(await bySelector(instance, NS, '', 'verb in (GET,POST),verb notin (GET)'))).toEqual([['db-1', 0], ['web-1', 3]]);
    expect(summary(await bySelector(instance, NS, '', '!verb'))).toEqual([]);
    expect(summary(await bySelector(instance, 'evil', 'app=victim', '!verb'))).toEqual([['victim', 666]]);
  });

  it('getMetricByName reads one object and is 404 without data', async () => {
    const { instance } = backend();
    const v = await instance.custom!.getMetricByName({ namespace: NS, name: 'db-1', info: INFO, metricSelector: Selector.everything(), signal: new AbortController().signal });
    expect(v).toMatchObject({ describedObject: { kind: 'Pod', name: 'db-1', namespace: NS, apiVersion: '/v1' }, value: 0 });
    const err = await instance.custom!.getMetricByName({ namespace: NS, name: 'web-9', info: INFO, metricSelector: Selector.everything(), signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(isMetricsError(err) && err.code).toBe(404);
  });

  it('external metrics: one value per tag set, tags as metricLabels, filtered by namespace and selector', async () => {
    const { instance } = backend();
    const get = (ns: string, sel: string) =>
      instance.external!.getExternalMetric({ namespace: ns, metricSelector: parseSelector(sel), info: { metric: 'Queue_Depth' }, signal: new AbortController().signal });
    const all = await get('team-a', '');
    expect(all.map((v) => [v.metricLabels, v.value]).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      [{ namespace: 'team-a', queue: 'worker', env: 'prod' }, 5],
      [{ namespace: 'team-a', queue: 'mailer' }, 7.25],
    ]);
    expect(all[0].metricName).toBe('Queue_Depth');
    expect(all[0].timestamp.getTime()).toBe(at(-2_000));
    expect((await get('team-a', 'env')).map((v) => v.value)).toEqual([5]);
    expect((await get('team-b', 'queue=worker')).map((v) => v.value)).toEqual([50]);
  });

  it('external metrics are namespaced by default: another namespace\'s rows are never served, even by a query that does not filter; namespaced: false opts out', async () => {
    const unfiltered = 'SELECT last("value") FROM "queue_depth" WHERE time > now() - {{window}} GROUP BY *';
    const get = async (external: InfluxBackendConfig['external'], ns: string) => {
      const { instance, sent } = backend({ external });
      const values = await instance.external!.getExternalMetric({ namespace: ns, metricSelector: Selector.everything(), info: { metric: 'queue_depth' }, signal: new AbortController().signal });
      return { values: values.map((v) => v.value).sort((a, b) => a - b), sent };
    };
    // A query without {{namespaceFilter}}: influxd returns every namespace; the backend keeps only the HPA's.
    expect((await get([{ metric: 'queue_depth', query: unfiltered }], 'team-b')).values).toEqual([50]);
    expect((await get([{ metric: 'queue_depth', query: unfiltered }], 'evil')).values).toEqual([]);
    // With {{namespaceFilter}} and no `namespaced` field, the filter restricts the query itself.
    const filtered = await get([{ metric: 'queue_depth', query: EXTERNAL_QUERY }], 'team-a');
    expect(filtered.values).toEqual([5, 7.25]);
    expect(filtered.sent[0]).toContain(`"namespace" = 'team-a'`);
    // Opting out: every namespace reads every series.
    expect((await get([{ metric: 'queue_depth', namespaced: false, query: unfiltered }], 'evil')).values).toEqual([5, 7.25, 50]);
  });

  it('hostile object names are matched literally and only as escaped string literals', async () => {
    const { instance, sent } = backend();
    const values = await bySelector(instance, 'evil', 'app=hostile');
    expect(summary(values)).toEqual(HOSTILE_NAMES.map((n, i) => [n, 100 + i]).sort());
    const tokens = scanInfluxQL(sent[0]);
    const strings = tokens.filter((t) => t.kind === 'string').map((t) => t.value);
    expect([...strings].sort()).toEqual([...HOSTILE_NAMES, 'evil'].sort());
    const benign = scanInfluxQL(sent[0].replace(/'(?:[^'\\]|\\.)*'/g, "'x'"));
    expect(skeleton(tokens)).toBe(skeleton(benign));
    for (const n of HOSTILE_NAMES) {
      const one = await instance.custom!.getMetricByName({ namespace: 'evil', name: n, info: INFO, metricSelector: Selector.everything(), signal: new AbortController().signal });
      expect(one.value).toBe(100 + HOSTILE_NAMES.indexOf(n));
    }
  });

  it('hostile metric-selector values (validation bypassed) stay literals: influxd returns exactly the matching rows', async () => {
    const { instance, sent } = backend();
    const call = (verb: string) =>
      instance.custom!.getMetricBySelector({
        namespace: 'evil',
        selector: parseSelector('app=victim'),
        info: INFO,
        metricSelector: rawSelector([{ key: 'verb', operator: '=', values: [verb] }]),
        signal: new AbortController().signal,
      });
    expect(summary(await call(HOSTILE_VERB))).toEqual([['victim', 777]]);
    expect(summary(await call("nothing' OR 'a'='a"))).toEqual([]);
    expect(summary(await call("x\\' OR 'a'='a"))).toEqual([]);
    const tokens = scanInfluxQL(sent[0]);
    expect(tokens.filter((t) => t.kind === 'string').map((t) => t.value)).toEqual(['victim', 'evil', HOSTILE_VERB]);
  });

  it('a hostile namespace selects nothing (it is one string literal)', async () => {
    const kube = new FakeKubeLookup({ objects: [pod('victim', {}, HOSTILE_NS), pod('web-1', {}, HOSTILE_NS)] });
    const ctx = fakeBackendContext({ kube });
    const instance = createInfluxBackend(ctx, {
      mode: 'influxql',
      url: influx.url,
      database: DB,
      cacheTtlMs: 0,
      custom: [{ resource: 'pods', metric: 'http_requests', objectTag: 'pod', query: CUSTOM_QUERY }],
    });
    expect(await bySelector(instance, HOSTILE_NS, '')).toEqual([]);
  });

  it('influxd stopped → 503 MetricsError (detail only logged); restarted → the same provider recovers', async () => {
    const { instance, ctx } = backend();
    expect(summary(await bySelector(instance, NS, 'app=web'))).toEqual([['web-1', 10], ['web-2', 20.5]]);
    await influx.stop();
    try {
      const err = await bySelector(instance, NS, 'app=web').catch((e: unknown) => e);
      expect(isMetricsError(err) && err.code).toBe(503);
      expect((err as Error).message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      expect(JSON.stringify(ctx.logger.records)).toMatch(/ECONNREFUSED|fetch failed/);
      expect(instance.health!()).toMatchObject({ healthy: false });
    } finally {
      await influx.start();
    }
    expect(summary(await bySelector(instance, NS, 'app=web'))).toEqual([['web-1', 10], ['web-2', 20.5]]);
    expect(instance.health!()).toMatchObject({ healthy: true });
  });

  it('a database that does not exist is a 500 without detail (a config error)', async () => {
    const { instance } = backend({ database: 'no_such_db' });
    const err = await bySelector(instance, NS, 'app=web').catch((e: unknown) => e);
    expect(isMetricsError(err) && err.code).toBe(500);
    expect((err as Error).message).not.toContain('no_such_db');
  });

  it('GET with u/p parameters works as well as POST', async () => {
    const { instance } = backend({ httpMethod: 'GET', username: 'reader', password: 'pw', authMethod: 'query' });
    expect(summary(await bySelector(instance, NS, 'app=web'))).toEqual([['web-1', 10], ['web-2', 20.5]]);
  });
});
