// The Flux path end to end through the real @influxdata/influxdb-client against a local double
// of POST /api/v2/query that answers annotated CSV.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isMetricsError, parseSelector, Selector } from '@custom-metrics/core';
import type { KubeObject } from '@custom-metrics/core';
import { fakeBackendContext, FakeKubeLookup } from '@custom-metrics/core/testing';
import { createInfluxBackend, type InfluxBackendConfig } from '../src/index.js';
import { annotatedCsv, lastColumns, startFluxDouble, type FluxDouble } from './support/flux-double.js';
import { HOSTILE } from './support/hostile.js';
import { rawSelector } from './support/raw-selector.js';
import { scanFlux, skeleton } from './support/scanners.js';

const NS = 'default';
const pod = (name: string, labels: Record<string, string>, namespace = NS): KubeObject => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name,
  namespace,
  uid: `uid-${name}`,
  labels,
  annotations: {},
});
const PODS = { group: '', resource: 'pods' };
const CUSTOM_QUERY =
  'from(bucket: {{bucket}})\n  |> range(start: -{{window}})\n  |> filter(fn: (r) => r._measurement == "http_requests" and r._field == "value")\n  |> filter(fn: (r) => {{objectFilter}} and {{namespaceFilter}} and {{labelMatchers}})\n  |> group(columns: [{{objectTag}}])\n  |> last()';
const EXTERNAL_QUERY =
  'from(bucket: {{bucket}})\n  |> range(start: -{{window}})\n  |> filter(fn: (r) => r._measurement == "queue_depth" and {{namespaceFilter}} and {{labelMatchers}})\n  |> last()';

let double: FluxDouble;
beforeAll(async () => {
  double = await startFluxDouble();
});
afterAll(async () => {
  await double?.close();
});
beforeEach(() => {
  double.requests.length = 0;
});

function backend(objects: KubeObject[], extra: Partial<InfluxBackendConfig> = {}) {
  const ctx = fakeBackendContext({ kube: new FakeKubeLookup({ objects }) });
  const config: InfluxBackendConfig = {
    mode: 'flux',
    url: double.url,
    token: 't0ken',
    org: 'acme org',
    bucket: 'k8s',
    timeoutMs: 2_000,
    cacheTtlMs: 0,
    custom: [{ resource: 'pods', metric: 'http_requests', objectTag: 'pod', query: CUSTOM_QUERY }],
    external: [{ metric: 'queue_depth', namespaced: true, query: EXTERNAL_QUERY }],
    ...extra,
  };
  return { ctx, instance: createInfluxBackend(ctx, config) };
}

const T = '2026-01-15T10:20:30Z';
const rowsFor = (rows: Array<[string, string, string]>) =>
  annotatedCsv(
    lastColumns(['namespace', 'pod']),
    rows.map(([name, value, time]) => [['2026-01-15T10:15:30Z', '2026-01-15T10:20:31Z', time, value, 'value', 'http_requests', NS, name]]),
  );

describe('Flux through @influxdata/influxdb-client', () => {
  it('sends the token from tokenFile and the new one after the file changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-token-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, 'from-file-1\n');
      const { instance } = backend([], { token: undefined, tokenFile: file });
      double.answer(() => ({ csv: annotatedCsv(lastColumns([]), []) }));
      const ask = () =>
        instance.external!.getExternalMetric({ namespace: NS, info: { metric: 'queue_depth' }, metricSelector: parseSelector(''), signal: new AbortController().signal });
      await ask();
      writeFileSync(file, 'from-file-2-rotated\n');
      await ask();
      expect(double.requests.map((r) => r.headers.authorization)).toEqual(['Token from-file-1', 'Token from-file-2-rotated']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends POST /api/v2/query with org, Token auth, dialect and the filled Flux text', async () => {
    const { instance } = backend([pod('web-1', { app: 'web' }), pod('web-2', { app: 'web' }), pod('db-1', { app: 'db' })]);
    double.answer(() => ({ csv: rowsFor([['web-1', '10', T], ['web-2', '20.5', '2026-01-15T10:20:29Z']]) }));
    const values = await instance.custom!.getMetricBySelector({
      namespace: NS,
      selector: parseSelector('app=web'),
      info: { groupResource: PODS, namespaced: true, metric: 'http_requests' },
      metricSelector: parseSelector('verb in (GET,POST)'),
      signal: new AbortController().signal,
    });
    expect(double.requests).toHaveLength(1);
    const r = double.requests[0];
    expect(r).toMatchObject({ method: 'POST', path: '/api/v2/query', org: 'acme org' });
    expect(r.headers.authorization).toBe('Token t0ken');
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.body.type).toBe('flux');
    expect(r.body.dialect).toMatchObject({ header: true, delimiter: ',', commentPrefix: '#' });
    expect(r.body.dialect?.annotations).toEqual(expect.arrayContaining(['datatype', 'group', 'default']));
    expect(r.body.query).toBe(
      'from(bucket: "k8s")\n  |> range(start: -5m)\n  |> filter(fn: (r) => r._measurement == "http_requests" and r._field == "value")\n' +
        '  |> filter(fn: (r) => (r["pod"] == "web-1" or r["pod"] == "web-2") and r["namespace"] == "default" and ((r["verb"] == "GET" or r["verb"] == "POST")))\n' +
        '  |> group(columns: ["pod"])\n  |> last()',
    );
    expect(values.map((v) => [v.describedObject.name, v.value, v.timestamp.toISOString()])).toEqual([
      ['web-1', 10, '2026-01-15T10:20:30.000Z'],
      ['web-2', 20.5, '2026-01-15T10:20:29.000Z'],
    ]);
    // As helpers.ReferenceFor builds it (core's objectReference): no uid.
    expect(values[0].describedObject).toEqual({ kind: 'Pod', namespace: NS, name: 'web-1', apiVersion: '/v1' });
    expect(values[0].metric).toEqual({ name: 'http_requests', selector: { matchExpressions: [{ key: 'verb', operator: 'In', values: ['GET', 'POST'] }] } });
  });

  it('skips null, NaN and rows of objects the selector did not select, counting drops', async () => {
    const { instance, ctx } = backend([pod('web-1', {}), pod('web-2', {}), pod('web-3', {})]);
    double.answer(() => ({ csv: rowsFor([['web-1', '', T], ['web-2', 'NaN', T], ['web-3', '3', T], ['stranger', '99', T]]) }));
    const values = await instance.custom!.getMetricBySelector({
      namespace: NS,
      selector: Selector.everything(),
      info: { groupResource: PODS, namespaced: true, metric: 'http_requests' },
      metricSelector: Selector.everything(),
      signal: new AbortController().signal,
    });
    expect(values.map((v) => [v.describedObject.name, v.value])).toEqual([['web-3', 3]]);
    expect(ctx.metrics.counters.get('samples_dropped_null')).toBe(1);
    expect(ctx.metrics.counters.get('samples_dropped_nan')).toBe(1);
  });

  it('getMetricByName: one value, or 404 when InfluxDB has none', async () => {
    const { instance } = backend([pod('web-1', {}), pod('web-2', {})]);
    double.answer((q) => ({ csv: q.body.query!.includes('"web-1"') ? rowsFor([['web-1', '7', T]]) : '\r\n' }));
    const info = { groupResource: PODS, namespaced: true, metric: 'http_requests' };
    const v = await instance.custom!.getMetricByName({ namespace: NS, name: 'web-1', info, metricSelector: Selector.everything(), signal: new AbortController().signal });
    expect(v.value).toBe(7);
    const err = await instance.custom!.getMetricByName({ namespace: NS, name: 'web-2', info, metricSelector: Selector.everything(), signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(isMetricsError(err) && err.code).toBe(404);
  });

  it('external metrics: tag sets become metricLabels, row times become timestamps', async () => {
    const { instance } = backend([]);
    double.answer(() => ({
      csv: annotatedCsv(lastColumns(['namespace', 'queue']), [
        [['2026-01-15T10:00:00Z', '2026-01-15T10:20:31Z', T, '5', 'value', 'queue_depth', 'team-a', 'worker']],
        [['2026-01-15T10:00:00Z', '2026-01-15T10:20:31Z', '2026-01-15T10:20:00Z', '7.25', 'value', 'queue_depth', 'team-a', 'mailer']],
      ]),
    }));
    const values = await instance.external!.getExternalMetric({
      namespace: 'team-a',
      metricSelector: parseSelector('queue in (mailer,worker)'),
      info: { metric: 'QUEUE_DEPTH' },
      signal: new AbortController().signal,
    });
    expect(double.requests[0].body.query).toContain('r["namespace"] == "team-a" and ((r["queue"] == "mailer" or r["queue"] == "worker"))');
    expect(values).toEqual([
      { metricName: 'QUEUE_DEPTH', metricLabels: { namespace: 'team-a', queue: 'worker' }, timestamp: new Date(T), value: 5 },
      { metricName: 'QUEUE_DEPTH', metricLabels: { namespace: 'team-a', queue: 'mailer' }, timestamp: new Date('2026-01-15T10:20:00Z'), value: 7.25 },
    ]);
  });

  it('hostile object names and namespaces land only as escaped string literals', async () => {
    const hostileNs = HOSTILE[2];
    const objects = HOSTILE.map((n, i) => pod(n, { i: String(i) }, hostileNs));
    const { instance } = backend(objects);
    double.answer(() => ({ csv: '\r\n' }));
    await instance.custom!.getMetricBySelector({
      namespace: hostileNs,
      selector: Selector.everything(),
      info: { groupResource: PODS, namespaced: true, metric: 'http_requests' },
      metricSelector: parseSelector('verb=GET'),
      signal: new AbortController().signal,
    });
    const sent = double.requests[0].body.query!;
    const tokens = scanFlux(sent);
    const benign = buildBenign(objects.length);
    expect(skeleton(tokens)).toBe(skeleton(scanFlux(benign)));
    const strings = tokens.filter((t) => t.kind === 'string').map((t) => t.value);
    for (const n of HOSTILE) expect(strings).toContain(n);
    expect(strings).toContain(hostileNs);
  });

  it('hostile metric-selector values (validation bypassed) land only as escaped string literals', async () => {
    const { instance } = backend([]);
    double.answer(() => ({ csv: '\r\n' }));
    for (const v of HOSTILE) {
      double.requests.length = 0;
      await instance.external!.getExternalMetric({
        namespace: 'team-a',
        metricSelector: rawSelector([{ key: 'queue', operator: 'in', values: [v, 'ok'] }, { key: 'env', operator: '!=', values: [v] }]),
        info: { metric: 'queue_depth' },
        signal: new AbortController().signal,
      });
      const tokens = scanFlux(double.requests[0].body.query!);
      expect(skeleton(tokens)).toContain(
        'r[<string>] == <string> and ((r[<string>] == <string> or r[<string>] == <string>) and (not exists r[<string>] or r[<string>] != <string>))',
      );
      expect(tokens.filter((t) => t.kind === 'string').map((t) => t.value)).toEqual(['k8s', 'queue_depth', 'namespace', 'team-a', 'queue', v, 'queue', 'ok', 'env', 'env', v]);
    }
  });

  it('HTTP 5xx and an unreachable server are a 503 MetricsError; the detail is only logged', async () => {
    const { instance, ctx } = backend([pod('web-1', {})]);
    const info = { groupResource: PODS, namespaced: true, metric: 'http_requests' };
    const call = () =>
      instance.custom!.getMetricBySelector({ namespace: NS, selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: new AbortController().signal });
    double.answer(() => ({ status: 503, json: { code: 'unavailable', message: 'secret internal detail' } }));
    const err = await call().catch((e: unknown) => e);
    expect(isMetricsError(err) && err.code).toBe(503);
    expect(String((err as Error).message)).not.toContain('secret internal detail');
    expect(JSON.stringify(ctx.logger.records)).toContain('secret internal detail');
    expect(instance.health!()).toMatchObject({ healthy: false });
    double.answer(() => ({ csv: rowsFor([['web-1', '1', T]]) }));
    expect((await call()).map((v) => v.value)).toEqual([1]);
    expect(instance.health!()).toMatchObject({ healthy: true });

    const down = backend([pod('web-1', {})], { url: 'http://127.0.0.1:1' });
    const e2 = await down.instance.custom!.getMetricBySelector({ namespace: NS, selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(isMetricsError(e2) && e2.code).toBe(503);
  });

  it('a 400 (bad Flux) is a 500 without detail', async () => {
    const { instance } = backend([pod('web-1', {})]);
    double.answer(() => ({ status: 400, json: { code: 'invalid', message: 'compilation failed: secret' } }));
    const err = await instance.custom!.getMetricBySelector({ namespace: NS, selector: Selector.everything(), info: { groupResource: PODS, namespaced: true, metric: 'http_requests' }, metricSelector: Selector.everything(), signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(isMetricsError(err) && err.code).toBe(500);
    expect(String((err as Error).message)).not.toContain('secret');
  });

  it('a hanging server hits the timeout (503); a caller abort rejects with the abort', async () => {
    const { instance } = backend([pod('web-1', {})], { timeoutMs: 300 });
    const info = { groupResource: PODS, namespaced: true, metric: 'http_requests' };
    double.answer(() => ({ hang: true }));
    const err = await instance.custom!.getMetricBySelector({ namespace: NS, selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(isMetricsError(err) && err.code).toBe(503);
    const ac = new AbortController();
    const p = instance.custom!.getMetricBySelector({ namespace: NS, selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('identical concurrent requests share one query, and a fresh result is cached', async () => {
    const { instance, ctx } = backend([pod('web-1', {})], { cacheTtlMs: 60_000 });
    double.answer(() => ({ csv: rowsFor([['web-1', '4', T]]) }));
    const info = { groupResource: PODS, namespaced: true, metric: 'http_requests' };
    const call = () => instance.custom!.getMetricBySelector({ namespace: NS, selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: new AbortController().signal });
    const [a, b] = await Promise.all([call(), call()]);
    const c = await call();
    expect([a, b, c].map((x) => x[0].value)).toEqual([4, 4, 4]);
    expect(double.requests).toHaveLength(1);
    expect(ctx.metrics.cacheResults.miss).toBe(1);
    expect(ctx.metrics.cacheResults.hit).toBe(2);
  });
});

function buildBenign(n: number): string {
  const names = Array.from({ length: n }, (_, i) => `r["pod"] == "p${i}"`).join(' or ');
  return CUSTOM_QUERY.replace('{{bucket}}', '"k8s"')
    .replace('{{window}}', '5m')
    .replace('{{objectFilter}}', `(${names})`)
    .replace('{{namespaceFilter}}', 'r["namespace"] == "ns"')
    .replace('{{labelMatchers}}', '(r["verb"] == "GET")')
    .replace('{{objectTag}}', '"pod"');
}
