import { describe, expect, it } from 'vitest';
import { isMetricsError, parseSelector, Selector } from '@custom-metrics/core';
import type { BackendInstance, ExternalMetricValue } from '@custom-metrics/core';
import { writeFileSync } from 'node:fs';
import { tempDir, waitFor } from '../../../test-support/index.js';
import { startDatadogDouble } from '@custom-metrics/backend-datadog/testing';
import { API_KEY, APP_KEY, closeAll, makeBackend, neverAborted, rawSelector, useDouble } from './support/harness.js';
import { staticKube } from './support/context.js';

const T0 = Date.now() - 60_000;
const double = useDouble();

const external = (instance: BackendInstance, metric: string, selector: Selector = Selector.everything()): Promise<ExternalMetricValue[]> =>
  instance.external!.getExternalMetric({ namespace: 'default', metricSelector: selector, info: { metric }, signal: neverAborted });

describe('external metrics through the real Datadog client', () => {
  it('sends an authenticated, schema-valid v2 request and serves the valid point before the last (possibly incomplete) bucket', async () => {
    double.setResolver((q) =>
      q === 'sum:aws.sqs.messages_visible{env:prod,queuename:orders}.rollup(max, 60)'
        ? [{ tags: [], points: [[T0 - 30_000, 4], [T0, 7], [T0 + 30_000, null]] }]
        : [],
    );
    const { instance, rec } = makeBackend(double, {
      external: [{ name: 'Queue_Depth', metric: 'aws.sqs.messages_visible', aggregator: 'sum', rollup: { method: 'max', seconds: 60 }, tags: ['env:prod'] }],
    });
    const items = await external(instance, 'queue_depth', parseSelector('queuename=orders'));
    // Default lastPointOffset 1: the last valid point (7) is skipped, as the Cluster Agent does.
    expect(items).toEqual([{ metricName: 'queue_depth', metricLabels: null, timestamp: new Date(T0 - 30_000), windowSeconds: 60, value: 4 }]);
    expect(double.calls).toHaveLength(1);
    const call = double.calls[0];
    expect(call.status).toBe(200);
    expect(call.headers['dd-api-key']).toBe(API_KEY);
    expect(call.headers['dd-application-key']).toBe(APP_KEY);
    expect(call.queries).toEqual(['sum:aws.sqs.messages_visible{env:prod,queuename:orders}.rollup(max, 60)']);
    // The batch's queries go with the call's latency to the server's debug page.
    expect(rec.calls).toEqual([{ operation: 'query', outcome: 'success', query: 'sum:aws.sqs.messages_visible{env:prod,queuename:orders}.rollup(max, 60)' }]);
    expect(rec.counts.get('samples_dropped_nan')).toBe(1);
    expect(instance.external!.listAllExternalMetrics()).toEqual([{ metric: 'queue_depth' }]);
  });

  it('returns one item per group with its tags as labels', async () => {
    double.setResolver(() => [
      { tags: ['queuename:a'], points: [[T0, 1]] },
      { tags: ['queuename:b'], points: [[T0, 2]] },
    ]);
    const { instance } = makeBackend(double, { external: [{ name: 'depth', metric: 'q.depth', groupBy: ['queuename'] }] });
    const items = await external(instance, 'depth');
    expect(items.map((i) => [i.metricLabels, i.value])).toEqual([
      [{ queuename: 'a' }, 1],
      [{ queuename: 'b' }, 2],
    ]);
    expect(double.calls[0].queries).toEqual(['avg:q.depth{*} by {queuename}']);
  });

  it('answers unlisted metrics by the Cluster Agent convention only when enabled', async () => {
    double.setResolver((q) => (q === 'avg:nginx.net.request_per_s{kube_container_name:nginx}.rollup(30)' ? [{ tags: [], points: [[T0, 9]] }] : []));
    const off = makeBackend(double, {});
    await expect(external(off.instance, 'nginx.net.request_per_s')).rejects.toMatchObject({ code: 404 });
    const on = makeBackend(double, { clusterAgentConvention: { enabled: true } });
    const items = await external(on.instance, 'nginx.net.request_per_s', parseSelector('kube_container_name=nginx'));
    expect(items.map((i) => i.value)).toEqual([9]);
    expect(on.instance.external!.listAllExternalMetrics()).toEqual([{ metric: 'nginx.net.request_per_s' }]);
    await expect(external(on.instance, 'not-a-datadog-name')).rejects.toMatchObject({ code: 404 });
  });

  it('rejects hostile label values with 400 before any call, so the query the double receives never changes', async () => {
    const { instance } = makeBackend(double, { external: [{ name: 'depth', metric: 'q.depth' }] });
    const hostile = ['a,b', 'x} by {host', '*', 'a OR b', '!x', 'x)', '"x"', "x'", 'x{*},avg:secret.metric{*}', 'a\nb', 'a b', 'x\\', 'x AND y:*', ''];
    for (const v of hostile) {
      const err = await external(instance, 'depth', rawSelector([{ key: 'queue', operator: '=', values: [v] }])).catch((e: unknown) => e);
      expect(isMetricsError(err), v).toBe(true);
      expect((err as { code: number }).code, v).toBe(400);
    }
    const badKey = await external(instance, 'depth', rawSelector([{ key: 'q}', operator: 'exists', values: [] }])).catch((e: unknown) => e);
    expect((badKey as { code: number }).code).toBe(400);
    expect(double.calls).toHaveLength(0);
    // The double has no series for it (a 404 saying so); what matters is the query sent.
    await external(instance, 'depth', rawSelector([{ key: 'queue', operator: 'in', values: ['a-1', 'b.2'] }, { key: 'zone', operator: '!=', values: ['eu/west:1'] }])).catch(() => undefined);
    expect(double.calls.flatMap((c) => c.queries)).toEqual(['avg:q.depth{!zone:eu/west:1 AND (queue:a-1 OR queue:b.2)}']);
  });
});

describe('batching and caching', () => {
  it('fetches N new metrics in ceil(N/batch) calls, then serves from cache without calls', async () => {
    double.setResolver((q) => [{ tags: [], points: [[T0, q.length]] }]);
    const names = Array.from({ length: 7 }, (_, i) => `m${i}`);
    const { instance } = makeBackend(double, { maxQueriesPerCall: 3, external: names.map((n) => ({ name: n, metric: `app.${n}` })) });
    await Promise.all(names.map((n) => external(instance, n)));
    expect(double.queryCalls()).toBe(Math.ceil(7 / 3));
    expect(double.calls.map((c) => c.queries.length).sort()).toEqual([1, 3, 3]);
    await Promise.all(names.flatMap((n) => [external(instance, n), external(instance, n), external(instance, n)]));
    expect(double.queryCalls()).toBe(3);
  });

  it('coalesces concurrent first requests for one query into one call', async () => {
    double.setResolver(() => [{ tags: [], points: [[T0, 1]] }]);
    const { instance, rec } = makeBackend(double, { external: [{ name: 'one', metric: 'app.one' }] });
    await Promise.all(Array.from({ length: 10 }, () => external(instance, 'one')));
    expect(double.queryCalls()).toBe(1);
    expect(rec.cache.filter((c) => c === 'miss').length).toBe(10);
  });

  it('refreshes every active query each interval in ceil(N/batch) calls', async () => {
    let round = 0;
    double.setResolver(() => [{ tags: [], points: [[T0, round]] }]);
    const names = Array.from({ length: 5 }, (_, i) => `r${i}`);
    const { instance } = makeBackend(double, { maxQueriesPerCall: 2, refreshIntervalSeconds: 0.05, external: names.map((n) => ({ name: n, metric: `app.${n}` })) });
    await Promise.all(names.map((n) => external(instance, n)));
    const first = double.queryCalls();
    expect(first).toBe(3);
    round = 1;
    await waitFor('a refresh round', async () => double.queryCalls() >= first + 3, 10_000, 20);
    const refreshCalls = double.calls.slice(first, first + 3);
    expect(refreshCalls.map((c) => c.queries.length).sort()).toEqual([1, 2, 2]);
    expect(new Set(refreshCalls.flatMap((c) => c.queries)).size).toBe(5);
    await waitFor('refreshed values', async () => (await external(instance, 'r0'))[0].value === 1, 10_000, 20);
  });
});

describe('custom metrics', () => {
  const pod = (name: string, labels: Record<string, string>) => ({
    resource: { group: '', resource: 'pods' },
    gvk: { group: '', version: 'v1', kind: 'Pod' },
    name,
    namespace: 'default',
    labels,
    annotations: {},
  });
  const kube = staticKube([pod('web-1', { app: 'web' }), pod('web-2', { app: 'web' }), pod('db-1', { app: 'db' })]);

  it('answers pods from one query grouped by the object tag', async () => {
    double.setResolver((q) =>
      q === 'avg:trace.http.request.hits{kube_namespace:default} by {pod_name}'
        ? [
            { tags: ['pod_name:web-1'], points: [[T0, 0.5]] },
            { tags: ['pod_name:web-2'], points: [[T0, 1234.567]] },
            { tags: ['pod_name:other'], points: [[T0, 3]] },
          ]
        : [],
    );
    const { instance } = makeBackend(double, { custom: [{ name: 'http_requests', resource: 'pods', objectTag: 'pod_name', metric: 'trace.http.request.hits' }] }, {}, kube);
    const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' };
    const list = await instance.custom!.getMetricBySelector({ namespace: 'default', selector: parseSelector('app=web'), info, metricSelector: Selector.everything(), signal: neverAborted });
    expect(list.map((v) => [v.describedObject, v.value])).toEqual([
      [{ kind: 'Pod', namespace: 'default', name: 'web-1', apiVersion: '/v1' }, 0.5],
      [{ kind: 'Pod', namespace: 'default', name: 'web-2', apiVersion: '/v1' }, 1234.567],
    ]);
    const one = await instance.custom!.getMetricByName({ namespace: 'default', name: 'web-2', info, metricSelector: Selector.everything(), signal: neverAborted });
    expect(one.value).toBe(1234.567);
    // db-1 exists but Datadog has no point for it: a 503 saying so; a pod that does not exist: 404.
    await expect(
      instance.custom!.getMetricByName({ namespace: 'default', name: 'db-1', info, metricSelector: Selector.everything(), signal: neverAborted }),
    ).rejects.toMatchObject({ code: 503, message: expect.stringContaining('no point found') as unknown });
    await expect(
      instance.custom!.getMetricByName({ namespace: 'default', name: 'no-such-pod', info, metricSelector: Selector.everything(), signal: neverAborted }),
    ).rejects.toMatchObject({ code: 404 });
    expect(double.queryCalls()).toBe(1);
    await expect(
      instance.custom!.getMetricBySelector({ namespace: 'x} by {host', selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: neverAborted }),
    ).rejects.toMatchObject({ code: 400 });
  });
});

describe('key files', () => {
  it('sends the keys from their files and the new ones after the files change', async () => {
    const dir = tempDir('dd-keys');
    // The double checks the keys in this object on every call, so changing it rotates them.
    const keys = { apiKey: 'file-api-key-1', appKey: 'file-app-key-1', resolve: () => [{ tags: [], points: [[T0, 1]] as Array<[number, number | null]> }] };
    const rotating = await startDatadogDouble(keys);
    try {
      writeFileSync(`${dir.path}/api`, `${keys.apiKey}\n`);
      writeFileSync(`${dir.path}/app`, `${keys.appKey}\n`);
      const { instance } = makeBackend(
        rotating,
        { apiKey: { file: `${dir.path}/api` }, appKey: { file: `${dir.path}/app` }, external: [{ name: 'depth', metric: 'q.depth' }] },
        { env: {} },
      );
      expect(await external(instance, 'depth', parseSelector('queue=a'))).toHaveLength(1);
      // Rotation: Datadog now wants new keys, and the mounted Secret files are updated.
      keys.apiKey = 'file-api-key-2-rotated';
      keys.appKey = 'file-app-key-2-rotated';
      writeFileSync(`${dir.path}/api`, `${keys.apiKey}\n`);
      writeFileSync(`${dir.path}/app`, `${keys.appKey}\n`);
      expect(await external(instance, 'depth', parseSelector('queue=b'))).toHaveLength(1);
      expect(rotating.calls.map((c) => [c.status, c.headers['dd-api-key'], c.headers['dd-application-key']])).toEqual([
        [200, 'file-api-key-1', 'file-app-key-1'],
        [200, 'file-api-key-2-rotated', 'file-app-key-2-rotated'],
      ]);
    } finally {
      await closeAll();
      await rotating.stop();
      dir.remove();
    }
  });
});
