#!/usr/bin/env node
/* global performance, setInterval, clearInterval */
// One discovery relist, measured in a process of its own so its RSS growth is clean (P2, issue 13).
// Usage: node --expose-gc bench/support/relist.mjs '{"url":"http://127.0.0.1:PORT","parser":"current"|"baseline","only":"relist"|"parser"}'
// only "relist" (default): createPrometheusBackend(...).start() (client, streaming /api/v1/series
// parser, discovery) against the series double at `url`; only "parser": a plain HTTP GET of the
// same answer through parseSeriesStream with a consumer that only reads __name__ (the parser's
// share). Prints one JSON line:
// {parser, only, seconds, cpuSeconds (user + system of this process), rssGrowthBytes, heapPeakGrowthBytes, heapRetainedBytes, listed, seen}.
// parser "baseline" swaps in the pre-change parser (bench/support/series-stream-baseline.mjs).
import { get } from 'node:http';
import { register } from 'node:module';

const opts = JSON.parse(process.argv[2] ?? '{}');
const parser = opts.parser ?? 'current';
const only = opts.only ?? 'relist';
register('./series-stream-hooks.mjs', { parentURL: import.meta.url, data: { parser } });
const { createPrometheusBackend } = await import('@custom-metrics/backend-prometheus');
const { fakeBackendContext } = await import('@custom-metrics/core/testing');
// The module the backend's client uses (or, through the hook, the baseline copy).
const { parseSeriesStream } = await import(new URL('./series-stream.js', import.meta.resolve('@custom-metrics/backend-prometheus')).href);

const gc = () => globalThis.gc?.();
const ctx = fakeBackendContext();
const inst = createPrometheusBackend(ctx, {
  url: opts.url,
  timeout: '300s',
  // The 1M-series answer (~120 MB) is read under discovery.maxResponseBytes' default (1 GiB), which
  // is apart from maxResponseBytes (32 MiB, instant queries): a listing is streamed, never held.
  rules: [{ seriesQuery: '{job="bench"}', name: { matches: '^(.*)_total$' }, resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } }, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' }],
});
const names = new Set();
const parseOnly = () =>
  new Promise((resolve, reject) => {
    get(`${opts.url}/api/v1/series`, (res) => parseSeriesStream(res, (labels) => names.add(labels.__name__)).then(resolve, reject)).on('error', reject);
  });
gc();
gc();
const before = process.memoryUsage();
const maxRssBefore = process.resourceUsage().maxRSS * 1024;
let peakHeap = before.heapUsed;
let peakRss = before.rss;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
}, 10);
const cpu = process.cpuUsage();
const t = performance.now();
const parsed = only === 'parser' ? await parseOnly() : (await inst.start(), undefined);
const seconds = (performance.now() - t) / 1000;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
clearInterval(sampler);
// The kernel's high-water mark catches a peak between two samples (when it rose during the relist).
const maxRssAfter = process.resourceUsage().maxRSS * 1024;
if (maxRssAfter > maxRssBefore) peakRss = Math.max(peakRss, maxRssAfter);
gc();
gc();
const after = process.memoryUsage();
const listed = only === 'parser' ? names.size : inst.custom.listAllMetrics().length;
const seen = only === 'parser' ? parsed : ctx.metrics.gauges.get('discovery_series');
await inst.close();
console.log(JSON.stringify({ parser, only, seconds, cpuSeconds, rssGrowthBytes: peakRss - before.rss, heapPeakGrowthBytes: peakHeap - before.heapUsed, heapRetainedBytes: after.heapUsed - before.heapUsed, listed, seen }));
