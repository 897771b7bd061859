#!/usr/bin/env node
/* global Buffer, performance */
// Backend queries per poll of 1,000 HPAs × 10 metrics (issue 13 P3): the real server (its own
// process, TLS, x509 client certificate, SubjectAccessReview against the loopback kube-apiserver
// double) with a Prometheus backend pointed at bench/prometheus-double.mjs, which counts the
// instant queries it answers and when they arrive. Every HPA asks for its 10 metrics once (10,000
// GET requests, at most COALESCING_CONCURRENCY in flight), as one HPA sync period would; the
// double's query count before and after is the number of backend queries of that poll, and its
// arrival times give the most queries in any window of cache.ttl (5 s). Two workloads:
//   distinct   1,000 HPAs, each on its own Deployment (own labelSelector) in one of 50 namespaces
//   shared     1,000 HPAs over 10 Deployments (many HPAs asking the same question)
// with merged per-metric queries (`query.coalesce`, the default) and, as the baseline, without
// (`query.coalesce: false`: the 5 s cache shares only identical queries). Both with the default
// 5 s cache. Bounded: 10,000 requests per pass, 3 passes (4 with COALESCING_FULL=1, which adds
// the distinct baseline: 10,000 different questions). Rewrites its section of docs/benchmarks.md, except
// for a partial run: COALESCING_ONLY=distinct|shared runs one workload and prints its figures.
// COALESCING_SERVER_LOG=FILE keeps the server's log.
// Run: npm run bench -- coalescing
import { fork, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCA, issueCert } from './support/pki.mjs';
import { startKubeDouble } from './support/kube-double.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const HPAS = 1000;
const METRICS = 10;
const NAMESPACES = 50;
const PODS_PER_WORKLOAD = 2;
const CONCURRENCY = Number(process.env.COALESCING_CONCURRENCY ?? 64);
const GOAL = 10;
const TTL_MS = 5000;

const dir = mkdtempSync(join(tmpdir(), 'cms-bench-coalescing-'));
const servingCA = createCA('bench-serving-ca');
const clientCA = createCA('bench-client-ca');
const frontProxyCA = createCA('bench-front-proxy-ca');
const serving = issueCert(servingCA, { commonName: 'custom-metrics-server', altNames: ['localhost', '127.0.0.1'] });
const client = issueCert(clientCA, { commonName: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler', organizations: ['system:serviceaccounts'] });
writeFileSync(join(dir, 'serving.crt'), serving.cert);
writeFileSync(join(dir, 'serving.key'), serving.key);
writeFileSync(join(dir, 'client-ca.crt'), clientCA.cert);
writeFileSync(join(dir, 'front-proxy-ca.crt'), frontProxyCA.cert);

/** The workloads (Deployments) the HPAs scale: `count` of them, spread over the namespaces. */
function workloads(count) {
  return Array.from({ length: count }, (_, i) => ({ namespace: `ns-${i % NAMESPACES}`, app: `app-${i}` }));
}
const all = workloads(HPAS);
// `shared` uses the first 10 of them.
const pods = all.flatMap((w) =>
  Array.from({ length: PODS_PER_WORKLOAD }, (_, p) => ({
    metadata: { namespace: w.namespace, name: `${w.app}-${p}`, labels: { app: w.app } },
    spec: { nodeName: 'node-1' },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  })),
);
const double = await startKubeDouble({
  pods,
  namespaces: Array.from({ length: NAMESPACES }, (_, i) => ({ metadata: { name: `ns-${i}` } })),
  nodes: [{ metadata: { name: 'node-1' } }],
});
double.writeKubeconfig(dir);
writeFileSync(join(dir, 'pods.json'), JSON.stringify(pods.map((p) => [p.metadata.namespace, p.metadata.name])));

async function startPrometheusDouble() {
  // 10 metric names (bench_metric_<m>_total), series with namespace and pod labels for discovery.
  const child = spawn(process.execPath, [join(here, 'prometheus-double.mjs')], { env: { ...process.env, SERIES: '1000', METRICS: String(METRICS), POD_FILE: join(dir, 'pods.json') }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (b) => resolve(Number(String(b).trim())));
    child.once('exit', (c) => reject(new Error(`prometheus double exited ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

/** The double's query count and arrival times (ms since it started). */
function queryStats(prom) {
  return new Promise((resolve, reject) => {
    httpRequest(`${prom.url}/stats`, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const s = JSON.parse(Buffer.concat(chunks).toString());
        resolve({ queries: s.queries, times: s.queryTimesMs });
      });
    }).on('error', reject).end();
  });
}

/** The most arrival times within any interval of `windowMs` (times sorted ascending). */
function maxInWindow(times, windowMs) {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

function writeConfig(prom, coalesce) {
  writeFileSync(join(dir, 'config.yaml'), [
    'server:',
    '  shutdownTimeoutSeconds: 2',
    'backends:',
    '  - name: prometheus',
    '    type: prometheus',
    '    config:',
    `      url: ${prom.url}`,
    '      cache:',
    `        ttl: ${TTL_MS / 1000}s`,
    '      query:',
    `        coalesce: ${coalesce}`,
    '      discovery:',
    '        interval: 10m',
    '      rules:',
    `        - seriesQuery: '{__name__=~"bench_metric_.*_total",namespace!="",pod!=""}'`,
    '          resources:',
    '            overrides:',
    '              namespace: {resource: namespace}',
    '              pod: {resource: pod}',
    '          name:',
    '            matches: "^(.*)_total$"',
    '            as: "${1}_per_second"',
    "          metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'",
    '',
  ].join('\n'));
}

async function startServerProcess() {
  // COALESCING_SERVER_LOG=FILE keeps the server's log (JSON lines) for diagnosis.
  const log = process.env.COALESCING_SERVER_LOG;
  const child = fork(join(here, 'support', 'serve.mjs'), [JSON.stringify({ kind: 'full', dir, noDelay: true })], { stdio: ['ignore', log ? 'pipe' : 'ignore', 'inherit', 'ipc'] });
  if (log) child.stdout.pipe(createWriteStream(log, { flags: 'a' }));
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    port,
    stop: () => new Promise((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => (clearTimeout(t), resolve()));
      child.send('stop');
    }),
  };
}

function get(agent, port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, servername: 'localhost' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** One poll: every HPA asks for each of its metrics once; resolves with counts and duration. */
async function poll(port, prom, targets) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: servingCA.cert, cert: client.cert, key: client.key });
  const paths = [];
  for (const w of targets) {
    for (let m = 0; m < METRICS; m++) paths.push(`/apis/custom.metrics.k8s.io/v1beta2/namespaces/${w.namespace}/pods/%2A/bench_metric_${m}_per_second?labelSelector=${encodeURIComponent(`app=${w.app}`)}`);
  }
  // Wait until discovery has listed the metrics (503 while pending).
  for (let i = 0; i < 200; i++) {
    const r = await get(agent, port, paths[0]);
    if (r.status === 200) break;
    if (i === 199) throw new Error(`server not serving: ${r.status} ${r.body.slice(0, 300)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  await new Promise((res) => setTimeout(res, 5500)); // past the cache TTL of the probe above
  const before = await queryStats(prom);
  const started = performance.now();
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstFailure;
  const worker = async () => {
    while (next < paths.length) {
      const r = await get(agent, port, paths[next++]);
      if (r.status === 200 && JSON.parse(r.body).items.length === PODS_PER_WORKLOAD) ok++;
      else {
        failed++;
        firstFailure ??= `${r.status} ${r.body.slice(0, 200)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const after = await queryStats(prom);
  agent.destroy();
  const times = after.times.slice(before.times.length);
  return { requests: paths.length, ok, failed, firstFailure, seconds, queries: after.queries - before.queries, perWindow: maxInWindow(times, TTL_MS) };
}

const results = [];
const prom = await startPrometheusDouble();
// The baseline of the distinct workload is ~10,000 queries by construction (10,000 different
// questions, no two identical); it is measured only with COALESCING_FULL=1 (the machine this runs
// on serves well under 100 req/s when shared, so each pass without merging takes minutes).
const passes = [
  [true, 'distinct'],
  [true, 'shared'],
  [false, 'shared'],
  ...(process.env.COALESCING_FULL === '1' ? [[false, 'distinct']] : []),
].filter(([, w]) => !process.env.COALESCING_ONLY || w === process.env.COALESCING_ONLY);
try {
  for (const coalesce of [true, false]) {
    const mine = passes.filter(([c]) => c === coalesce);
    if (mine.length === 0) continue;
    writeConfig(prom, coalesce);
    const server = await startServerProcess();
    try {
      for (const [, workload] of mine) {
        // `shared`: 1,000 HPAs over 10 workloads = each workload's metrics asked by 100 HPAs.
        const targets = workload === 'shared' ? Array.from({ length: HPAS }, (_, i) => all[i % 10]) : all;
        const r = await poll(server.port, prom, targets);
        console.log(`query.coalesce ${coalesce}, ${workload}: ${r.requests} requests in ${r.seconds.toFixed(1)} s, ${r.ok} ok, ${r.failed} failed${r.firstFailure ? ` (${r.firstFailure})` : ''}, ${r.queries} backend queries, at most ${r.perWindow} in any ${TTL_MS / 1000} s`);
        results.push({ coalesce, workload, ...r });
      }
    } finally {
      await server.stop();
    }
  }
} finally {
  await prom.stop();
  await double.close();
  rmSync(dir, { recursive: true, force: true });
}

if (process.env.COALESCING_ONLY) {
  // A partial run (one workload) does not rewrite the docs.
  console.log(JSON.stringify(results.map(({ firstFailure, ...r }) => ({ ...r, firstFailure: firstFailure?.slice(0, 120) }))));
  process.exit(0);
}
const fmt = (n, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
const row = (workload, what) => {
  const base = results.find((r) => r.workload === workload && !r.coalesce);
  const now = results.find((r) => r.workload === workload && r.coalesce);
  const baseQueries = base ? base.queries : now.requests;
  const baseText = base ? fmt(base.queries) : `≈ ${fmt(now.requests)} (one per request, by construction; not re-measured)`;
  const baseWindow = base ? fmt(base.perWindow) : '—';
  return `| ${what} | ${fmt(now.requests)} | ${baseText} | ${fmt(now.queries)} | ${fmt(now.queries / baseQueries, 3)} | ${baseWindow} | **${fmt(now.perWindow)}** ${now.perWindow <= GOAL ? '✓' : '✗'} | ${base ? fmt(base.seconds, 1) : '—'} | ${fmt(now.seconds, 1)} | ${(base?.failed ?? 0) + now.failed} |`;
};
const section = [
  '<!-- coalescing:start -->',
  '## backend queries per HPA poll (P3)',
  '',
  `Command: \`npm run bench -- coalescing\` (\`node bench/coalescing.bench.mjs\`${process.env.COALESCING_FULL === '1' ? ', COALESCING_FULL=1' : ''}), ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
  `The real server (own process, TLS, x509 client certificate, SubjectAccessReview against the loopback kube-apiserver double, ${fmt(HPAS * PODS_PER_WORKLOAD)} pods in its informers) with a Prometheus backend on \`bench/prometheus-double.mjs\`, which counts instant queries and when they arrive. One poll = each of ${fmt(HPAS)} HPAs asks for its ${METRICS} metrics once (\`namespaces/<ns>/pods/*/<metric>?labelSelector=app=<its workload>\`, ${fmt(HPAS * METRICS)} requests, ${CONCURRENCY} in flight), started after the cache of earlier requests expired; both modes with the default 5 s cache. **baseline**: \`query.coalesce: false\` (the cache shares only identical queries); **now**: merged per-metric queries (\`query.coalesce\`, default): one query per metric for every namespace and object, shared by every request for that metric while in flight and for \`cache.ttl\` (5 s) after its answer, filtered per request. **A window is that cache TTL**, so a poll longer than 5 s spans several windows and costs up to 10 queries per window; "most in any 5 s" is the highest number of backend queries that arrived within any 5-second interval of the poll. Goal (issue 13 P3): ≤ ${GOAL} backend queries per window.`,
  '',
  '| workload | requests | queries per poll (baseline) | queries per poll (now) | ratio | most in any 5 s (baseline) | most in any 5 s (now) | poll s (baseline) | poll s (now) | failed |',
  '|---|---|---|---|---|---|---|---|---|---|',
  row('distinct', `${fmt(HPAS)} HPAs, each on its own Deployment (${NAMESPACES} namespaces)`),
  row('shared', `${fmt(HPAS)} HPAs over 10 Deployments`),
  '<!-- coalescing:end -->',
].join('\n');
const docs = join(here, '..', 'docs', 'benchmarks.md');
const text = readFileSync(docs, 'utf8');
const re = /<!-- coalescing:start -->[\s\S]*?<!-- coalescing:end -->/;
writeFileSync(docs, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
console.log(`\n${section}\n\nwrote ${docs}`);
