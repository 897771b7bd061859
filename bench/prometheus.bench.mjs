#!/usr/bin/env node
/* global fetch, URLSearchParams, AbortController, performance */
// Benchmarks of @custom-metrics/backend-prometheus (issue 5). Loopback only, bounded loops.
//  1. overhead ratio: provider answer latency vs a direct query of a real Prometheus for the
//     same PromQL (needs /usr/bin/prometheus; skipped with a note when absent);
//  2. discovery (issue 13 P2): time and peak RSS growth of one relist of 1,000,000 series over
//     2,000 metric names, main before the change (baseline: parser and discovery) vs now, each relist in a
//     child process of its own (bench/support/relist.mjs), several rounds, best and median;
//  3. a 5,000-pod `*` query: batches, largest request size, time.
// Rewrites its section of docs/benchmarks.md. Run: npm run bench -- prometheus
import { spawn, execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrometheusBackend } from '@custom-metrics/backend-prometheus';
import { Selector, parseSelector } from '@custom-metrics/core';
import { FakeKubeLookup, fakeBackendContext } from '@custom-metrics/core/testing';

const here = dirname(fileURLToPath(import.meta.url));
// Lines of the part being run; each part keeps its own block of the section, so a run of some
// parts (PROMETHEUS_BENCH_PARTS) leaves the others' figures in docs/benchmarks.md as they were.
let results = [];
const note = (s) => {
  console.log(s);
  results.push(s);
};
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const ms = (x) => `${x.toFixed(2)} ms`;

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

// ---- 2. discovery relist of 1M series over 2k metric names (issue 13 P2), baseline vs now
// Every measurement is a fresh child process (bench/support/relist.mjs) so its RSS growth is its
// own; baseline and now alternate, DISCOVERY_ROUNDS rounds. The answer comes pre-rendered from
// bench/support/series-double.mjs (another child), so the relist is bound by the client side.
const P2_SECONDS = 3;
const P2_RSS_BYTES = 100e6;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;

function relistChild(url, parser, only) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', join(here, 'support', 'relist.mjs'), JSON.stringify({ url, parser, only })], { encoding: 'utf8', timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`relist child (${parser}, ${only}) failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
    });
  });
}

async function discovery() {
  const SERIES = Number(process.env.BENCH_SERIES ?? 1_000_000);
  const METRICS = 2_000;
  const ROUNDS = Number(process.env.DISCOVERY_ROUNDS ?? 5);
  const PARSER_ROUNDS = Number(process.env.DISCOVERY_PARSER_ROUNDS ?? 3);
  const child = spawn(process.execPath, [join(here, 'support', 'series-double.mjs')], { env: { ...process.env, SERIES: String(SERIES), METRICS: String(METRICS) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const [port, bytes] = await new Promise((resolve, reject) => {
    child.stdout.once('data', (b) => resolve(String(b).trim().split(' ').map(Number)));
    child.once('exit', (c) => reject(new Error(`series double exited ${c}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const runs = { relist: { baseline: [], current: [] }, parser: { baseline: [], current: [] } };
  const loadBefore = loadavg()[0];
  try {
    for (const [only, rounds] of [['relist', ROUNDS], ['parser', PARSER_ROUNDS]]) {
      for (let r = 0; r < rounds; r++) {
        // Alternate which goes first, so a change of machine load hits both alike.
        for (const parser of r % 2 ? ['current', 'baseline'] : ['baseline', 'current']) {
          const m = await relistChild(url, parser, only);
          console.log(`  ${only} ${parser} round ${r + 1}: ${m.seconds.toFixed(2)} s (CPU ${m.cpuSeconds.toFixed(2)} s), peak RSS +${mb(m.rssGrowthBytes)}, ${m.listed} listed, ${m.seen} seen`);
          runs[only][parser].push(m);
        }
      }
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const loadAfter = loadavg()[0];
  const stat = (ms, key) => ({ best: Math.min(...ms.map((m) => m[key])), median: median(ms.map((m) => m[key])), worst: Math.max(...ms.map((m) => m[key])) });
  const rel = runs.relist;
  const t = { baseline: stat(rel.baseline, 'seconds'), current: stat(rel.current, 'seconds') };
  const cpu = { baseline: stat(rel.baseline, 'cpuSeconds'), current: stat(rel.current, 'cpuSeconds') };
  const rss = { baseline: stat(rel.baseline, 'rssGrowthBytes'), current: stat(rel.current, 'rssGrowthBytes') };
  const same = [...rel.baseline, ...rel.current].every((m) => m.listed === rel.current[0].listed && m.seen === SERIES);
  const met = t.current.median < P2_SECONDS && rss.current.worst < P2_RSS_BYTES;
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  note(`- discovery relist (P2): ${SERIES.toLocaleString('en')} series over ${METRICS.toLocaleString('en')} names (answer ${mb(bytes)}, streamed, never held) from \`bench/support/series-double.mjs\` (child process, answer pre-rendered), one relist per fresh \`node --expose-gc bench/support/relist.mjs\` child (\`createPrometheusBackend(...).start()\`: client, parser, discovery), baseline and now alternated, ${ROUNDS} rounds. **baseline**: the series parser and discovery on main before this change (7170cfc: the allocation-light parser, discovery's naming work done for every series), copies kept only for this (\`bench/support/series-stream-baseline.mjs\`, \`discovery-baseline.mjs\`, swapped in by a module hook); **now**: \`packages/backend-prometheus/src/series-stream.ts\` and \`discovery.ts\` (naming work cached per series name and label-name set). Time: wall-clock time of \`start()\`; CPU: user + system time of the relist process meanwhile, which depends much less on the other jobs of a shared machine (on an idle one the relist is CPU-bound, so time ≈ CPU). Peak RSS growth: highest RSS during the relist (sampled every 10 ms and the kernel's high-water mark) minus RSS before it. Load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after.`);
  note('');
  note('| relist | time best | time median | CPU best | CPU median | peak RSS growth best | peak RSS growth median | peak RSS growth worst | metric×resource pairs | series seen |');
  note('|---|---|---|---|---|---|---|---|---|---|');
  for (const p of ['baseline', 'current']) {
    note(`| ${p === 'current' ? 'now' : p} | ${t[p].best.toFixed(2)} s | ${t[p].median.toFixed(2)} s | ${cpu[p].best.toFixed(2)} s | ${cpu[p].median.toFixed(2)} s | ${mb(rss[p].best)} | ${mb(rss[p].median)} | ${mb(rss[p].worst)} | ${rel[p][0].listed} | ${rel[p][0].seen.toLocaleString('en')} |`);
  }
  note(`| now / baseline | ${ratio(t.current.best, t.baseline.best)} | **${ratio(t.current.median, t.baseline.median)}** | ${ratio(cpu.current.best, cpu.baseline.best)} | **${ratio(cpu.current.median, cpu.baseline.median)}** | ${ratio(rss.current.best, rss.baseline.best)} | **${ratio(rss.current.median, rss.baseline.median)}** | ${ratio(rss.current.worst, rss.baseline.worst)} | ${same ? 'same' : '**differ**'} | |`);
  note('');
  const pt = { baseline: stat(runs.parser.baseline, 'seconds'), current: stat(runs.parser.current, 'seconds') };
  const pc = { baseline: stat(runs.parser.baseline, 'cpuSeconds'), current: stat(runs.parser.current, 'cpuSeconds') };
  const pr = { baseline: stat(runs.parser.baseline, 'rssGrowthBytes'), current: stat(runs.parser.current, 'rssGrowthBytes') };
  note(`  - the parser alone (a plain HTTP GET of the same answer into \`parseSeriesStream\`, consumer reads \`__name__\`; ${PARSER_ROUNDS} rounds): baseline median ${pt.baseline.median.toFixed(2)} s (best ${pt.baseline.best.toFixed(2)} s), CPU median ${pc.baseline.median.toFixed(2)} s, peak RSS +${mb(pr.baseline.median)}; now median ${pt.current.median.toFixed(2)} s (best ${pt.current.best.toFixed(2)} s), CPU median ${pc.current.median.toFixed(2)} s, peak RSS +${mb(pr.current.median)} → ${ratio(pt.current.median, pt.baseline.median)} time, **${ratio(pc.current.median, pc.baseline.median)} CPU**, ${ratio(pr.current.median, pr.baseline.median)} RSS growth`);
  const verdict = SERIES !== 1_000_000 ? `not judged (the goal is for 1,000,000 series, this run listed ${SERIES.toLocaleString('en')})` : `**${met ? 'met' : 'not met'}**`;
  note(`  - goal (issue 13 P2): median relist < ${P2_SECONDS} s and every relist's RSS growth < 100 MB: ${verdict} (now: median ${t.current.median.toFixed(2)} s, CPU median ${cpu.current.median.toFixed(2)} s${!met && cpu.current.median < P2_SECONDS ? ', under the goal: the rest of the wall time is waiting, for the double and for the other jobs on the cores' : ''}, largest growth ${mb(rss.current.worst)})`);
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

const PARTS = { overhead, discovery, 'big-star': bigStar };
const chosen = (process.env.PROMETHEUS_BENCH_PARTS ?? Object.keys(PARTS).join(',')).split(',').map((p) => p.trim()).filter(Boolean);
for (const p of chosen) if (!(p in PARTS)) throw new Error(`PROMETHEUS_BENCH_PARTS: unknown part "${p}" (known: ${Object.keys(PARTS).join(', ')})`);
const fresh = new Map();
for (const name of chosen) {
  results = [];
  const started = new Date();
  await PARTS[name]();
  fresh.set(name, [`Part \`${name}\`, ${started.toISOString().slice(0, 16)}Z:`, '', ...results]);
}
// Read the page only now: other benchmarks may have rewritten their sections meanwhile.
const docs = join(here, '..', 'docs', 'benchmarks.md');
const text = readFileSync(docs, 'utf8');
const re = /<!-- prometheus:start -->[\s\S]*?<!-- prometheus:end -->/;
const old = re.exec(text)?.[0] ?? '';
const blocks = [];
for (const name of Object.keys(PARTS)) {
  const marker = `<!-- prometheus:part ${name} -->`;
  const at = old.indexOf(marker);
  if (fresh.has(name)) blocks.push(marker, ...fresh.get(name), '');
  else if (at >= 0) {
    const rest = old.slice(at + marker.length);
    blocks.push(marker, rest.slice(0, rest.search(/<!-- prometheus:(part |end)/)).trim(), '');
  }
}

const section = [
  '<!-- prometheus:start -->',
  '## backend-prometheus',
  '',
  `Command: \`npm run bench -- prometheus\` (\`node --expose-gc bench/prometheus.bench.mjs\`; \`PROMETHEUS_BENCH_PARTS=discovery\` etc. runs some of the parts ${Object.keys(PARTS).join(', ')}, the others keep their figures), Node ${process.version}, ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
  '',
  ...blocks,
  '<!-- prometheus:end -->',
].join('\n');
writeFileSync(docs, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
console.log(`\nwrote ${docs}`);
