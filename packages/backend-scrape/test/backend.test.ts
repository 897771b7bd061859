import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSelector, Selector, type KubeObject } from '@custom-metrics/core';
import { fakeBackendContext, FakeKubeLookup } from '@custom-metrics/core/testing';
import scrapeDefault, { scrapeBackend, ScrapeBackend } from '@custom-metrics/backend-scrape';
import { waitFor } from '../../../test-support/index.js';
import { startExporter, type TestExporter } from '@custom-metrics/backend-scrape/testing';

const PODS = { group: '', resource: 'pods' };
const rpsInfo = { groupResource: PODS, namespaced: true, metric: 'http_requests_per_second' };
const signal = () => new AbortController().signal;

describe('ScrapeBackend end to end over loopback exporters', () => {
  let exporters: TestExporter[] = [];
  let count = 0;
  const depth = 3;
  beforeAll(async () => {
    const handler = (pod: string) => (_req: unknown, res: ServerResponse) => {
      count += 7;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        [
          '# TYPE http_requests_total counter',
          `http_requests_total{path="/",code="200"} ${count}`,
          `http_requests_total{path="/",code="500"} ${Math.floor(count / 7)}`,
          '# TYPE queue_depth gauge',
          `queue_depth{queue="orders",served_by="${pod}"} ${depth}`,
          '',
        ].join('\n'),
      );
    };
    exporters = [await startExporter(handler('a')), await startExporter(handler('b'))];
  });
  afterAll(async () => {
    await Promise.all(exporters.map((e) => e.close()));
  });

  it('is the default and named export with a schema', () => {
    expect(scrapeDefault).toBe(scrapeBackend);
    expect(scrapeBackend.name).toBe('scrape');
    expect(scrapeBackend.configSchema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('serves rates per static-target pod, external series, and stops serving stale series', async () => {
    const ctx = fakeBackendContext();
    const backend = (await scrapeBackend.create(ctx, {
      objects: 'targets',
      interval: '200ms',
      targets: exporters.map((e, i) => ({ url: e.url, pod: `web-${i}`, namespace: 'demo', labels: { app: 'web' } })),
      rules: [
        { metric: 'http_requests_per_second', series: 'http_requests_total', function: 'rate', window: '2s' },
        { metric: 'queue_depth', series: 'queue_depth', function: 'max', window: '2s', kind: 'external' },
      ],
    })) as ScrapeBackend;
    try {
      await backend.start!();
      expect(backend.custom!.listAllMetrics()).toEqual([rpsInfo]);
      const values = await waitFor('rates for both pods', async () => {
        const v = await backend.custom!.getMetricBySelector({ namespace: 'demo', selector: parseSelector('app=web'), info: rpsInfo, metricSelector: Selector.everything(), signal: signal() });
        return v.length === 2 && v;
      }, 10_000, 100);
      expect(values.map((v) => v.describedObject)).toEqual([
        { kind: 'Pod', namespace: 'demo', name: 'web-0', apiVersion: '/v1' },
        { kind: 'Pod', namespace: 'demo', name: 'web-1', apiVersion: '/v1' },
      ]);
      for (const v of values) {
        expect(v.value).toBeGreaterThan(0);
        expect(v.windowSeconds).toBe(2);
      }
      const only500 = await backend.custom!.getMetricByName({ namespace: 'demo', name: 'web-0', info: rpsInfo, metricSelector: parseSelector('code=500'), signal: signal() });
      const all = await backend.custom!.getMetricByName({ namespace: 'demo', name: 'web-0', info: rpsInfo, metricSelector: Selector.everything(), signal: signal() });
      expect(only500.value).toBeGreaterThan(0);
      expect(only500.value).toBeLessThan(all.value);
      expect(only500.metric.selector).toEqual({ matchLabels: { code: '500' } });
      expect(await backend.custom!.getMetricBySelector({ namespace: 'other', selector: Selector.everything(), info: rpsInfo, metricSelector: Selector.everything(), signal: signal() })).toEqual([]);

      const ext = await backend.external!.getExternalMetric({ namespace: 'demo', metricSelector: parseSelector('pod=web-1'), info: { metric: 'QUEUE_DEPTH' }, signal: signal() });
      expect(ext).toHaveLength(1);
      expect(ext[0]).toMatchObject({ metricName: 'queue_depth', value: 3, metricLabels: { queue: 'orders', pod: 'web-1', namespace: 'demo', app: 'web', served_by: 'b' } });

      expect(backend.health()).toMatchObject({ healthy: true });
      expect(ctx.metrics.gauges.get('series')).toBeGreaterThanOrEqual(4);

      // Staleness: the target of web-1 goes away; after two intervals its series stop being served.
      await exporters[1].close();
      await waitFor('web-1 to go stale', async () => {
        const v = await backend.custom!.getMetricBySelector({ namespace: 'demo', selector: Selector.everything(), info: rpsInfo, metricSelector: Selector.everything(), signal: signal() });
        return v.length === 1 && v[0].describedObject.name === 'web-0';
      }, 10_000, 100);
      expect(ctx.metrics.counters.get('scrape_errors') ?? 0).toBeGreaterThan(0);
    } finally {
      await backend.close!();
      ctx.shutdown();
    }
  });

  it('discovers annotated pods through KubeLookup and attaches pod and namespace', async () => {
    const port = exporters[0].port;
    const pod = (name: string, annotations: Record<string, string>): KubeObject => ({
      gvk: { group: '', version: 'v1', kind: 'Pod' },
      name,
      namespace: 'shop',
      labels: { app: 'shop' },
      annotations,
      podIP: '127.0.0.1',
      phase: 'Running',
    });
    const kube = new FakeKubeLookup({
      objects: [
        pod('shop-1', { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' }),
        pod('shop-2', { 'prometheus.io/port': String(port) }),
      ],
    });
    const ctx = fakeBackendContext({ kube });
    const backend = new ScrapeBackend(ctx, {
      kubernetes: {},
      interval: '200ms',
      rules: [{ metric: 'queue', series: 'queue_depth', function: 'last' }],
    });
    try {
      await backend.start();
      const info = { groupResource: PODS, namespaced: true, metric: 'queue' };
      const v = await waitFor('a value for shop-1', async () => {
        const r = await backend.custom!.getMetricBySelector({ namespace: 'shop', selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: signal() });
        return r.length > 0 && r;
      }, 10_000, 100);
      expect(v.map((x) => x.describedObject.name)).toEqual(['shop-1']);
      expect(v[0].value).toBe(depth);
      expect(backend.scraper.targets().map((t) => t.target.labels)).toEqual([{ namespace: 'shop', pod: 'shop-1' }]);
      // Re-listed every refresh: a deleted pod's target goes away.
      kube.remove({ name: 'shop-1', namespace: 'shop', gvk: { group: '', kind: 'Pod' } });
      await waitFor('the target of the deleted pod to be dropped', async () => backend.scraper.targets().length === 0, 10_000, 100);
    } finally {
      await backend.close();
      ctx.shutdown();
    }
  });

  it('honours an aborted signal and reports unknown metrics as 404', async () => {
    const ctx = fakeBackendContext();
    const backend = new ScrapeBackend(ctx, { rules: [{ metric: 'm', series: 's', function: 'last' }] });
    await expect(backend.custom!.getMetricBySelector({ namespace: 'x', selector: Selector.everything(), info: { ...rpsInfo, metric: 'm' }, metricSelector: Selector.everything(), signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(backend.custom!.getMetricBySelector({ namespace: 'x', selector: Selector.everything(), info: rpsInfo, metricSelector: Selector.everything(), signal: signal() })).rejects.toMatchObject({ code: 404 });
    await backend.close();
    ctx.shutdown();
  });
});
