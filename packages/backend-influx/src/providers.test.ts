import { describe, expect, it } from 'vitest';
import { parseSelector, Selector } from '@custom-metrics/core';
import type { KubeObject } from '@custom-metrics/core';
import { fakeBackendContext, FakeKubeLookup } from '@custom-metrics/core/testing';
import { FakeInfluxClient } from './testing/index.js';
import { InfluxQueryError } from './errors.js';
import { createInfluxBackend } from './plugin.js';

const node = (name: string, labels: Record<string, string>): KubeObject => ({ gvk: { group: '', version: 'v1', kind: 'Node' }, name, labels, annotations: {} });
const NODES = { group: '', resource: 'nodes' };
const INFO = { groupResource: NODES, namespaced: false, metric: 'load' };

function setup(client: FakeInfluxClient, cacheTtlMs = 0) {
  const ctx = fakeBackendContext({ kube: new FakeKubeLookup({ objects: [node('a', { role: 'worker' }), node('b', { role: 'worker' }), node('c', {})] }) });
  const instance = createInfluxBackend(
    ctx,
    {
      mode: 'influxql',
      url: 'http://influx:8086',
      database: 'db',
      cacheTtlMs,
      cacheStaleMs: 60_000,
      custom: [{ resource: 'nodes', metric: 'load', objectTag: 'host', query: 'SELECT last(v) FROM load WHERE {{objectFilter}} AND {{labelMatchers}} GROUP BY {{objectTag}}' }],
    },
    { client },
  );
  return { ctx, instance };
}
const call = (instance: ReturnType<typeof setup>['instance'], selector = '', msel = '') =>
  instance.custom!.getMetricBySelector({ namespace: '', selector: parseSelector(selector), info: INFO, metricSelector: parseSelector(msel), signal: new AbortController().signal });

describe('InfluxCustomProvider', () => {
  it('queries only the selected objects and maps rows to cluster-scoped objects', async () => {
    const client = new FakeInfluxClient(() => [
      { labels: { host: 'a' }, time: 1_000, value: 1 },
      { labels: { host: 'b' }, time: 2_000, value: '2.5' },
      { labels: { host: 'c' }, time: 2_000, value: 3 },
    ]);
    const { instance } = setup(client);
    const values = await call(instance, 'role=worker');
    expect(client.queries).toEqual([`SELECT last(v) FROM load WHERE ("host" = 'a' OR "host" = 'b') AND true GROUP BY "host"`]);
    expect(values.map((v) => [v.describedObject, v.value, v.timestamp.getTime()])).toEqual([
      [{ kind: 'Node', name: 'a', apiVersion: '/v1' }, 1, 1_000],
      [{ kind: 'Node', name: 'b', apiVersion: '/v1' }, 2.5, 2_000],
    ]);
    expect(instance.custom!.listAllMetrics()).toEqual([INFO]);
  });

  it('does not query when no object matches, and 404s for unknown metrics', async () => {
    const client = new FakeInfluxClient();
    const { instance } = setup(client);
    expect(await call(instance, 'role=nothing')).toEqual([]);
    expect(client.queries).toEqual([]);
    await expect(
      instance.custom!.getMetricBySelector({ namespace: '', selector: Selector.everything(), info: { ...INFO, metric: 'nope' }, metricSelector: Selector.everything(), signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('reports metric selectors with != as selector null rather than failing', async () => {
    const { instance } = setup(new FakeInfluxClient(() => [{ labels: { host: 'a' }, time: 1, value: 1 }]));
    const [v] = await call(instance, '', 'verb!=GET');
    expect(v.metric.selector).toBeNull();
    const [w] = await call(instance, '', 'verb=GET');
    expect(w.metric.selector).toEqual({ matchLabels: { verb: 'GET' } });
  });

  it('serves a stale result while InfluxDB is unavailable when cacheStaleMs allows it', async () => {
    const client = new FakeInfluxClient(() => [{ labels: { host: 'a' }, time: 1, value: 7 }]);
    const { instance, ctx } = setup(client, 1);
    expect((await call(instance, 'role=worker'))[0].value).toBe(7);
    await new Promise((r) => setTimeout(r, 5));
    client.answer(() => {
      throw new InfluxQueryError('unavailable', 'connection refused');
    });
    expect((await call(instance, 'role=worker'))[0].value).toBe(7);
    expect(ctx.metrics.cacheResults.stale).toBe(1);
  });

  it('rejects > and < metric selectors with 400 before querying', async () => {
    const client = new FakeInfluxClient();
    const { instance } = setup(client);
    await expect(call(instance, '', 'n>3')).rejects.toMatchObject({ code: 400 });
    expect(client.queries).toEqual([]);
  });
});
