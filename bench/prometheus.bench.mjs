#!/usr/bin/env node
/* global fetch, URLSearchParams, AbortController, performance, setInterval, clearInterval */
// Benchmarks of @custom-metrics/backend-prometheus (issue 5). Loopback only, bounded loops.
//  1. overhead ratio: provider answer latency vs a direct query of a real Prometheus for the
//     same PromQL (needs /usr/bin/prometheus; skipped with a note when absent);
//  2. discovery: time and memory of one relist against a local /api/v1/series double serving
//     1,000,000 series over 2,000 metric names;
//  3. a 5,000-pod `*` query: batches, largest request size, time.
// Rewrites its section of docs/benchmarks.md. Run: npm run bench -- prometheus
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrometheusBackend } from '@custom-metrics/backend-prometheus';
import { Selector, parseSelector } from '@custom-metrics/core';
import { FakeKubeLookup, fakeBackendContext } from '@custom-metrics/core/testing';

const here = dirname(fileURLToPath(import.meta.url));
const results = [];
const note = (s) => {
  console.log(s);
  results.push(s);
};
const gc = () => globalThis.gc?.();
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const ms = (x) => `${x.toFixed(2)} ms`;
const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;

async function startDouble(env) {
  const child = spawn(process.execPath, [join(here, 'prometheus-double.mjs')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (b) => resolve(Number(String(b).trim())));
    child.once('exit', (c) => reject(new Error(`double exited ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---- 1. overhead ratio against a real Prometheus
async function overhead() {
  let bin;
  try {
    bin = execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim();
  } catch {
    note('- overhead ratio: skipped (prometheus binary not installed)');
    return;
  }
  const pods = Array.from({ length: 20 }, (_, i) => `bench-${i}`);
  const exposition = pods.map((p, i) => `bench_requests{namespace="bench",pod="${p}"} ${i}\n`).join('');
  const exporter = createServer((req, res) => res.end(exposition));
  const ePort = await freePort();
  await new Promise((r) => exporter.listen(ePort, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'cms-bench-prom-'));
  const pPort = await freePort();
  writeFileSync(join(dir, 'p.yml'), `global: {scrape_interval: 1s}\nscrape_configs:\n- job_name: b\n  honor_labels: true\n  static_configs: [{targets: ['127.0.0.1:${ePort}']}]\n`);
  const proc = spawn(bin, [`--config.file=${join(dir, 'p.yml')}`, `--storage.tsdb.path=${join(dir, 'd')}`, `--web.listen-address=127.0.0.1:${pPort}`, '--log.level=error'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${pPort}`;
  try {
    for (let i = 0; i < 150; i++) {
      try {
        const r = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: 'count(bench_requests)' }) });
        const j = await r.json();
        if (Number(j.data?.result?.[0]?.value?.[1]) === pods.length) break;
      } catch {
        // not ready yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const objects = pods.map((name) => ({ gvk: { group: '', version: 'v1', kind: 'Pod' }, name, namespace: 'bench', labels: { app: 'bench' }, annotations: {} }));
    const mk = (ttl) =>
      createPrometheusBackend(fakeBackendContext({ kube: new FakeKubeLookup({ objects }) }), {
        url,
        cache: { ttl },
        // The same PromQL as the direct call (per request): this measures the provider's overhead.
        query: { coalesce: false },
        rules: [{ seriesQuery: '{__name__="bench_requests"}', resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } }, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' }],
      });
    const req = () => ({ namespace: 'bench', selector: parseSelector('app=bench'), info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'bench_requests' }, metricSelector: Selector.everything(), signal: new AbortController().signal });
    const promql = `sum(bench_requests{namespace="bench",pod=~"${pods.join('|')}"}) by (pod)`;
    const N = 300;
    const time = async (fn) => {
      for (let i = 0; i < 20; i++) await fn();
      const xs = [];
      for (let i = 0; i < N; i++) {
        const t = performance.now();
        await fn();
        xs.push(performance.now() - t);
      }
      return xs;
    };
    const direct = await time(async () => {
      const r = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: promql }) });
      await r.json();
    });
    const uncached = mk('0s');
    await uncached.start();
    const ours = await time(() => uncached.custom.getMetricBySelector(req()));
    await uncached.close();
    const cached = mk('5s');
    await cached.start();
    const hits = await time(() => cached.custom.getMetricBySelector(req()));
    await cached.close();
    const d50 = percentile(direct, 0.5);
    const o50 = percentile(ours, 0.5);
    note(`- overhead ratio (20-pod \`*\` query, ${N} sequential requests each, real Prometheus 127.0.0.1):`);
    note(`  - direct POST /api/v1/query (global fetch): p50 ${ms(d50)}, p99 ${ms(percentile(direct, 0.99))}`);
    note(`  - provider, cache off: p50 ${ms(o50)}, p99 ${ms(percentile(ours, 0.99))} → **overhead ratio ${(o50 / d50).toFixed(2)}×** (p50)`);
    note(`  - provider, cache 5 s (hits): p50 ${ms(percentile(hits, 0.5))}, p99 ${ms(percentile(hits, 0.99))}`);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    exporter.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- 2. discovery of 1M series over 2k metric names
async function discovery() {
  const SERIES = Number(process.env.BENCH_SERIES ?? 1_000_000);
  const METRICS = 2_000;
  const dbl = await startDouble({ SERIES: String(SERIES), METRICS: String(METRICS) });
  try {
    const ctx = fakeBackendContext();
    const inst = createPrometheusBackend(ctx, {
      url: dbl.url,
      timeout: '120s',
      rules: [{ seriesQuery: '{job="bench"}', name: { matches: '^(.*)_total$' }, resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } }, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' }],
    });
    gc();
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 20);
    const t = performance.now();
    await inst.start();
    const seconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    gc();
    const after = process.memoryUsage();
    const listed = inst.custom.listAllMetrics().length;
    await inst.close();
    note(`- discovery: ${SERIES.toLocaleString('en')} series over ${METRICS.toLocaleString('en')} names from a loopback /api/v1/series double (child process), one relist:`);
    note(`  - time ${seconds.toFixed(2)} s (${Math.round(SERIES / seconds).toLocaleString('en')} series/s), ${listed} metric×resource pairs listed, series seen ${ctx.metrics.gauges.get('discovery_series')}`);
    note(`  - heap retained after GC +${mib(after.heapUsed - before.heapUsed)}; peak heap during relist +${mib(peakHeap - before.heapUsed)}; peak RSS +${mib(peakRss - before.rss)} (response body ≈ ${mib(SERIES * 115)} is streamed, never held)`);
  } finally {
    await dbl.stop();
  }
}

// ---- 3. a 5,000-pod `*` query
async function bigStar() {
  const dbl = await startDouble({ SERIES: '1', METRICS: '1' });
  try {
    const objects = Array.from({ length: 5000 }, (_, i) => ({ gvk: { group: '', version: 'v1', kind: 'Pod' }, name: `web-7cfb596f98-${String(i).padStart(5, '0')}`, namespace: 'big', labels: { app: 'web' }, annotations: {} }));
    const ctx = fakeBackendContext({ kube: new FakeKubeLookup({ objects }) });
    const inst = createPrometheusBackend(ctx, {
      url: dbl.url,
      cache: { ttl: '0s' },
      // The batching of a big per-request query (P4); merged queries are measured by the coalescing bench.
      query: { coalesce: false },
      discovery: { onDemand: true },
      rules: [{ seriesQuery: '{__name__=~"bench_metric_.*"}', resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } }, name: { matches: '^(.*)_total$' }, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' }],
    });
    await inst.start();
    const req = { namespace: 'big', selector: parseSelector('app=web'), info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'bench_metric_0' }, metricSelector: Selector.everything(), signal: new AbortController().signal };
    const xs = [];
    let n = 0;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      n = (await inst.custom.getMetricBySelector(req)).length;
      xs.push(performance.now() - t);
    }
    const stats = await (await fetch(`${dbl.url}/stats`)).json();
    await inst.close();
    note(`- 5,000-pod \`*\` query (pod names 20 chars, default 8 kB regex limit, 20 runs): ${n} values per answer, ${stats.queries / 20} backend queries per answer, largest name regex ${stats.maxRegexBytes.toLocaleString('en')} bytes, largest request body ${stats.maxRequestBytes.toLocaleString('en')} bytes (form-encoded), p50 ${ms(percentile(xs, 0.5))}, p99 ${ms(percentile(xs, 0.99))}`);
  } finally {
    await dbl.stop();
  }
}

const started = new Date();
await overhead();
await discovery();
await bigStar();

const section = [
  '<!-- prometheus:start -->',
  '## backend-prometheus',
  '',
  `Command: \`npm run bench -- prometheus\` (\`node --expose-gc bench/prometheus.bench.mjs\`), ${started.toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
  '',
  ...results,
  '<!-- prometheus:end -->',
].join('\n');
const docs = join(here, '..', 'docs', 'benchmarks.md');
const text = readFileSync(docs, 'utf8');
const re = /<!-- prometheus:start -->[\s\S]*?<!-- prometheus:end -->/;
writeFileSync(docs, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
console.log(`\nwrote ${docs}`);
