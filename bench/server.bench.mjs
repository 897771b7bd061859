#!/usr/bin/env node
// NOT the P1 overhead benchmark (that is bench/overhead.bench.mjs: real server process over mutual
// TLS against a minimal koa route, load from another process). This one is an in-process,
// plain-HTTP comparison of routes with each other, kept for that purpose only: the client shares
// the server's event loop, so its figures are not server throughput.
// Benchmark of the server's request pipeline (issue 3): routing, selector parsing, the deadline and
// concurrency middleware, provider call, rendering, logging — with the in-memory backend, so the
// figures are the server's own cost. Plain HTTP on 127.0.0.1 (TLS is the same for every adapter)
// with allow-all security doubles; autocannon sends a fixed number of requests per route, so the
// run is bounded. Rewrites its section of docs/benchmarks.md. Run: npm run bench -- server
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FakeKubeLookup } from '@custom-metrics/core/testing';
import { buildContainer, createLogger, validateConfig } from '@custom-metrics/server';

const here = dirname(fileURLToPath(import.meta.url));
const PODS = 100;
const REQUESTS = 20_000;
const CONNECTIONS = 10;

const pods = Array.from({ length: PODS }, (_, i) => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name: `web-${i}`,
  namespace: 'bench',
  labels: { app: 'web', shard: String(i % 4) },
  annotations: {},
}));
const config = validateConfig({
  server: { maxRequestsInflight: 1000 },
  backends: [{
    name: 'mem',
    type: 'memory',
    config: {
      custom: [{ resource: 'pods', metric: 'http_requests', objects: pods.map((p, i) => ({ namespace: 'bench', name: p.name, value: i + 0.5 })) }],
      external: [{ name: 'queue_depth', series: Array.from({ length: 10 }, (_, i) => ({ labels: { queue: `q${i}` }, value: i })) }],
    },
  }],
});
const allow = async (ctx, next) => {
  ctx.state.user = { name: 'bench', groups: ['system:authenticated'] };
  await next();
};
const sink = new Writable({ write: (_c, _e, cb) => cb() });
const sc = await buildContainer({ config, kube: new FakeKubeLookup({ objects: pods }), logger: createLogger('info', sink), authentication: allow, authorization: allow });
await sc.startBackends();
const server = createServer(sc.app.callback());
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const routes = [
  ['custom v1beta2, `*` over 100 pods, labelSelector', '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb'],
  ['custom v1beta1, one pod', '/apis/custom.metrics.k8s.io/v1beta1/namespaces/bench/pods/web-7/http_requests'],
  ['external, labelSelector in (…)', '/apis/external.metrics.k8s.io/v1beta1/namespaces/bench/queue_depth?labelSelector=queue+in+%28q1%2Cq2%29'],
  ['discovery /apis/custom.metrics.k8s.io/v1beta2', '/apis/custom.metrics.k8s.io/v1beta2'],
  ['404 Status (unknown metric)', '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/nope'],
];

const lines = [];
for (const [name, path] of routes) {
  const r = await autocannon({ url: base + path, amount: REQUESTS, connections: CONNECTIONS });
  const line = `| ${name} | ${Math.round(r.requests.average).toLocaleString('en')} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} |`;
  console.log(line);
  lines.push(line);
}
server.close();
await sc.closeBackends(1000);

const section = [
  '<!-- server:start -->',
  '## route costs in-process, plain HTTP (not P1; see the overhead section for the server over TLS)',
  '',
  `Command: \`npm run bench -- server\` (\`node bench/server.bench.mjs\`), ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
  `In-memory backend, ${PODS} pods, allow-all security doubles, plain HTTP on 127.0.0.1; autocannon, ${REQUESTS.toLocaleString('en')} requests per route over ${CONNECTIONS} connections, client in the same process.`,
  '',
  '| route | req/s (mean) | p50 ms | p99 ms | non-2xx |',
  '|---|---|---|---|---|',
  ...lines,
  '<!-- server:end -->',
].join('\n');
const docs = join(here, '..', 'docs', 'benchmarks.md');
const text = readFileSync(docs, 'utf8');
const re = /<!-- server:start -->[\s\S]*?<!-- server:end -->/;
writeFileSync(docs, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
console.log(`\nwrote ${docs}`);
