import { describe, expect, it } from 'vitest';
import type { ExternalMetricValue, MetricValue, PodMetrics } from '@custom-metrics/core';
import { RecentActivity } from './recent.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const pod = (name: string, value: number, metric = 'rps'): MetricValue => ({
  describedObject: { kind: 'Pod', namespace: 'default', name, apiVersion: '/v1' },
  metric: { name: metric, selector: null },
  timestamp: new Date(T0),
  value,
});

describe('RecentActivity', () => {
  it('folds answers into the last value per object, most recently served first, bounded per metric (LRU)', () => {
    let now = T0;
    const r = new RecentActivity({ objectsPerMetric: 2, now: () => now });
    r.answer('mem', 'getMetricBySelector', [pod('a', 1), pod('b', 2)]);
    now += 1000;
    r.answer('mem', 'getMetricByName', pod('a', 3));
    now += 1000;
    r.answer('mem', 'getMetricByName', pod('c', 4));
    const [rps] = r.values();
    expect(rps).toMatchObject({ api: 'custom', metric: 'rps', backend: 'mem' });
    // b was the least recently served: evicted by c.
    expect(rps.objects).toEqual([
      { object: 'Pod default/c', value: 4, timestamp: '2026-01-01T00:00:00.000Z', servedAt: '2026-01-01T00:00:02.000Z' },
      { object: 'Pod default/a', value: 3, timestamp: '2026-01-01T00:00:00.000Z', servedAt: '2026-01-01T00:00:01.000Z' },
    ]);
    // A second read keeps what the first folded.
    expect(r.values()[0].objects).toHaveLength(2);
  });

  it('keeps only the last objects of a large answer', () => {
    const r = new RecentActivity({ objectsPerMetric: 3 });
    r.answer('mem', 'getMetricBySelector', Array.from({ length: 1000 }, (_, i) => pod(`p${i}`, i)));
    expect(r.values()[0].objects.map((o) => o.value)).toEqual([999, 998, 997]);
  });

  it('keeps the answers of a bounded ring between reads (older ones are dropped), and bounds the metrics', () => {
    const r = new RecentActivity({ answers: 2, metrics: 2 });
    r.answer('mem', 'getMetricByName', pod('a', 1, 'm1'));
    r.answer('mem', 'getMetricByName', pod('a', 1, 'm2'));
    r.answer('mem', 'getMetricByName', pod('a', 1, 'm3'));
    expect(r.values().map((v) => v.metric)).toEqual(['m3', 'm2']);
    r.answer('mem', 'getMetricByName', pod('a', 1, 'm1'));
    expect(r.values().map((v) => v.metric)).toEqual(['m1', 'm3']);
  });

  it('shows external series by their labels and metrics.k8s.io pods by their summed usage; ignores other operations and odd answers', () => {
    const r = new RecentActivity();
    const ext: ExternalMetricValue[] = [{ metricName: 'queue', metricLabels: { z: '1', a: 'x"y' }, timestamp: new Date(T0), value: 5 }];
    const pm: PodMetrics[] = [{ metadata: { name: 'p', namespace: 'ns' }, timestamp: new Date(T0), windowSeconds: 30, containers: [{ name: 'a', usage: { cpu: 0.25, memory: 100 } }, { name: 'b', usage: { cpu: 0.5, memory: 50 } }] }];
    r.answer('e', 'getExternalMetric', ext);
    r.answer('s', 'getPodMetrics', pm);
    r.answer('s', 'somethingElse', [1, 2]);
    r.answer('s', 'getMetricByName', null);
    const values = r.values();
    expect(values.map((v) => [v.api, v.metric, v.objects[0].object])).toEqual([
      ['resource', 'pods', 'ns/p'],
      ['external', 'queue', '{a="x\\"y",z="1"}'],
    ]);
    expect(values[0].objects[0].usage).toEqual({ cpu: 0.75, memory: 150 });
  });

  it('keeps the last call and p50/p99 over a ring of recent calls per instance and operation', () => {
    const r = new RecentActivity({ latencySamples: 100 });
    for (let i = 1; i <= 300; i++) r.call('prom', 'query', i <= 200 ? 1000 : i - 200, true);
    r.call('prom', 'series', 7, false);
    r.call('prom', 'query', Number.NaN, true);
    const [query, series] = r.latency('prom');
    // Only the last 100 calls (1..100 ms) count.
    expect(query).toEqual({ operation: 'query', samples: 100, lastMs: 100, lastOk: true, p50Ms: 50, p99Ms: 99 });
    expect(series).toEqual({ operation: 'series', samples: 1, lastMs: 7, lastOk: false, p50Ms: 7, p99Ms: 7 });
    expect(r.latency('other')).toEqual([]);
  });

  it('keeps the last few queries per instance, newest first, long ones cut', () => {
    const r = new RecentActivity({ queries: 2, queryChars: 20, now: () => T0 });
    r.query('prom', 'query', 'up', 1.234, true);
    r.query('prom', 'series', '{__name__="x"}', 2, false);
    r.query('prom', 'query', 'sum(rate(http_requests_total[5m])) by (pod)', 3, true);
    expect(r.queries('prom')).toEqual([
      { at: '2026-01-01T00:00:00.000Z', operation: 'query', query: 'sum(rate(http_reque…', ms: 3, ok: true },
      { at: '2026-01-01T00:00:00.000Z', operation: 'series', query: '{__name__="x"}', ms: 2, ok: false },
    ]);
    expect(r.queries('none')).toEqual([]);
  });
});
