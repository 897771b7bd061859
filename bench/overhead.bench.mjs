#!/usr/bin/env node
/* global Buffer */
// Overhead of the full server against a minimal koa + @koa/router route (issues 13 P1 and 17),
// over mutual TLS, for HTTP/1.1 and HTTP/2, with an x509 client certificate and through the front
// proxy (aggregator certificate + X-Remote-* headers, SubjectAccessReview cached). Each server runs
// in its own process; the load generator (bench/support/load-generator.mjs) in another. Per case:
// throughput at a fixed concurrency, and latency at a fixed 1,000 req/s. Both servers are measured
// in the same run, alternately, and the section of docs/benchmarks.md is rewritten with the
// figures, the baselines and the ratios. Bounded: every phase has a fixed duration.
// Run: npm run bench -- overhead   (OVERHEAD_SECONDS=<s> per phase, default 4; OVERHEAD_ROUNDS, default 3)
import { execFile, fork } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OVERHEAD_PATH, overheadFixture } from './support/overhead-fixture.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.OVERHEAD_SECONDS ?? 4);
const ROUNDS = Number(process.env.OVERHEAD_ROUNDS ?? 3);
const WARMUP_MS = 1000;
// OVERHEAD_RATE: the fixed rate of the latency phase (default 1,000 req/s; another rate is a partial run).
const RATE = Number(process.env.OVERHEAD_RATE ?? 1000);
const H1_CONNECTIONS = 16;
const H2_STREAMS = 32;
const PODS = 10;
const PATH = OVERHEAD_PATH;
const NO_DELAY = process.env.OVERHEAD_NODELAY !== '0';
// OVERHEAD_CPU_PROF=<dir>: both servers run with `node --cpu-prof` and write their profiles to
// <dir>/full and <dir>/minimal (analyse with `node bench/support/profile-summary.mjs --busy <dir>/full/*`).
const CPU_PROF = process.env.OVERHEAD_CPU_PROF;
// OVERHEAD_NODE_ARGS: extra node flags for both servers, space-separated (e.g. `--no-turbo-inlining`
// with OVERHEAD_CPU_PROF for self times per function as written, or `--trace-deopt`).
const NODE_ARGS = (process.env.OVERHEAD_NODE_ARGS ?? '').split(' ').filter(Boolean);
// OVERHEAD_CASES: comma-separated subset of h1-x509, h1-front-proxy, h2-x509, h2-front-proxy (default all).
const CASES = process.env.OVERHEAD_CASES?.split(',').map((c) => c.trim()).filter(Boolean);
// OVERHEAD_MODES: max, rate or both (default both).
const MODES = (process.env.OVERHEAD_MODES ?? 'max,rate').split(',').map((m) => m.trim());

const { dir, servingCA, clients, double } = await overheadFixture(PODS);

async function startServerProcess(kind) {
  const execArgv = [...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF, kind)] : []), ...NODE_ARGS];
  const child = fork(join(here, 'support', 'serve.mjs'), [JSON.stringify({ kind, dir, noDelay: NO_DELAY })], { execArgv, stdio: ['ignore', process.env.OVERHEAD_SERVER_LOG ? 'inherit' : 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return {
    port,
    cpuMicros: () => new Promise((resolve) => {
      const on = (m) => {
        if (m?.cpuMicros === undefined) return;
        child.off('message', on);
        resolve(m.cpuMicros);
      };
      child.on('message', on);
      child.send('cpu');
    }),
    stop: () => new Promise((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => (clearTimeout(t), resolve()));
      child.send('stop');
    }),
  };
}

/** One request with node's https client: the servers must answer the same 10-item list. */
function check(port, client) {
  return new Promise((resolve, reject) => {
    const flat = client.headers.flat();
    const req = request({ host: '127.0.0.1', port, path: PATH, ca: servingCA.cert, cert: client.cert, key: client.key, servername: 'localhost', agent: false, headers: flat.length ? flat : undefined }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const items = res.statusCode === 200 ? JSON.parse(body).items : undefined;
        if (items?.length !== PODS) reject(new Error(`expected ${PODS} items with status 200, got ${res.statusCode}: ${body.slice(0, 300)}`));
        else resolve();
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(port, protocol, client, mode) {
  const options = {
    host: '127.0.0.1', port, path: PATH, protocol, ca: servingCA.cert, cert: client.cert, key: client.key, headers: client.headers,
    concurrency: protocol === 'h2' ? H2_STREAMS : H1_CONNECTIONS, mode, rate: RATE, warmupMs: WARMUP_MS, durationMs: SECONDS * 1000,
  };
  // Asynchronous: the kube-apiserver double lives in this process and must keep answering.
  const { stdout } = await promisify(execFile)(process.execPath, [join(here, 'support', 'load-generator.mjs'), JSON.stringify(options)], { encoding: 'utf8', timeout: WARMUP_MS + SECONDS * 1000 + 30_000 });
  const r = JSON.parse(stdout.trim().split('\n').at(-1));
  if (r.error) throw new Error(`load generator: ${r.error}`);
  return r;
}

const results = [];
const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
// Both servers run for the whole benchmark (an idle one costs nothing); each case alternates them
// for ROUNDS rounds and keeps each one's best round, so a burst of load from other processes on
// the machine does not land on one server only.
const servers = {};
try {
  for (const kind of ['minimal', 'full']) servers[kind] = await startServerProcess(kind);
  for (const protocol of ['h1', 'h2']) {
    for (const [clientName, client] of Object.entries(clients)) {
      if (CASES && !CASES.includes(`${protocol}-${clientName.replace(' ', '-')}`)) continue;
      const row = { protocol, client: clientName, minimal: {}, full: {} };
      for (const kind of ['minimal', 'full']) await check(servers[kind].port, client);
      for (const mode of ['max', 'rate'].filter((m) => MODES.includes(m))) {
        for (let round = 0; round < ROUNDS; round++) {
          for (const kind of ['minimal', 'full']) {
            const cpuBefore = await servers[kind].cpuMicros();
            const r = await load(servers[kind].port, protocol, client, mode);
            // Server CPU per request (warm-up included in both counts): unlike req/s, it barely
            // depends on what else the machine runs.
            r.cpuPerRequest = (await servers[kind].cpuMicros() - cpuBefore) / r.requests;
            const best = row[kind][mode];
            if (!best || (mode === 'max' ? r.rps > best.rps : r.p99 < best.p99)) row[kind][mode] = r;
            if (mode === 'max' && !(row[kind].cpu <= r.cpuPerRequest)) row[kind].cpu = r.cpuPerRequest;
            console.log(`${protocol} ${clientName} ${kind} ${mode} round ${round + 1}: ${fmt(r.rps)} req/s, ${fmt(r.cpuPerRequest)} µs CPU/request, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, non-2xx ${r.non2xx}`);
          }
        }
      }
      results.push(row);
    }
  }
} finally {
  for (const s of Object.values(servers)) await s.stop();
  await double.close();
  rmSync(dir, { recursive: true, force: true });
}

const label = { h1: 'HTTP/1.1', h2: 'HTTP/2' };
const conc = { h1: `${H1_CONNECTIONS} keep-alive connections`, h2: `${H2_STREAMS} streams on one session` };
const lines = results.map((r) => {
  const ratio = r.full.max?.rps / r.minimal.max?.rps;
  const added = r.full.rate?.p99 - r.minimal.rate?.p99;
  const non2xx = [r.full.max, r.full.rate, r.minimal.max, r.minimal.rate].reduce((n, x) => n + (x?.non2xx ?? 0), 0);
  // CPU per request: the lowest of the throughput rounds (the least disturbed by other jobs).
  const cpuRatio = r.minimal.cpu / r.full.cpu;
  return `| ${label[r.protocol]} | ${r.client} | ${fmt(r.minimal.max?.rps)} | ${fmt(r.full.max?.rps)} | **${fmt(ratio * 100)} %** ${ratio >= 0.6 ? '✓' : '✗'} | ${fmt(r.minimal.cpu)} | ${fmt(r.full.cpu)} | ${fmt(cpuRatio * 100)} % | ${fmt(r.minimal.rate?.p99, 2)} | ${fmt(r.full.rate?.p99, 2)} | **${fmt(added, 2)}** ${added < 2 ? '✓' : '✗'} | ${non2xx} |`;
});
const section = [
  '<!-- overhead:start -->',
  '## server overhead over mutual TLS (P1, HTTP/1.1 and HTTP/2)',
  '',
  `Command: \`${['OVERHEAD_SECONDS', 'OVERHEAD_ROUNDS', 'OVERHEAD_NODELAY'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('')}npm run bench -- overhead\` (\`node bench/overhead.bench.mjs\`), ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
  `A 10-pod \`*\` query (\`${PATH}\`). **baseline**: a minimal koa + @koa/router route on \`http2.createSecureServer\` (allowHTTP1, client certificate requested) building the same 10-item MetricValueList. **full**: the real server (\`startServer\`: TLS serving, front-proxy and x509 authentication, SubjectAccessReview authorization with its caches against a loopback kube-apiserver double, routing, memory backend, rendering, request log at info and metrics). Each server in its own process, both up for the whole run; each case alternates them for ${ROUNDS} rounds and keeps each one's best round (highest throughput, lowest p99); TCP_NODELAY ${NO_DELAY ? 'set' : 'not set'} on accepted sockets of both (by the bench; \`OVERHEAD_NODELAY=0\` leaves it off). Load from \`bench/support/load-generator.mjs\` in a third process: throughput with ${conc.h1} (HTTP/1.1) or ${conc.h2} (HTTP/2), ${SECONDS} s after ${WARMUP_MS / 1000} s warm-up; latency at a fixed ${RATE.toLocaleString('en')} req/s (open loop, from the scheduled send time), ${SECONDS} s.`,
  'Server CPU µs/req: CPU time (user + system) of the server process during a throughput phase (warm-up included) divided by the answers it gave, lowest of the rounds; "baseline / full CPU" is the throughput ratio the two would have if CPU were the only limit.',
  'Goal (issues 13 P1 and 17): full ≥ 60 % of the baseline throughput, added p99 at 1,000 req/s < 2 ms.',
  '',
  '| protocol | client | baseline req/s | full req/s | full / baseline | baseline CPU µs/req | full CPU µs/req | baseline / full CPU | baseline p99 ms @1k | full p99 ms @1k | added p99 ms | non-2xx |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...lines,
  '<!-- overhead:end -->',
].join('\n');
if (CASES || MODES.length < 2 || CPU_PROF || RATE !== 1000) {
  // A partial or profiled run is for investigation: print, leave docs/benchmarks.md alone.
  console.log(`\n${section}\n\n(partial or profiled run: docs/benchmarks.md not rewritten)`);
  process.exit(0);
}
const docs = join(here, '..', 'docs', 'benchmarks.md');
const text = readFileSync(docs, 'utf8');
const re = /<!-- overhead:start -->[\s\S]*?<!-- overhead:end -->/;
writeFileSync(docs, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
console.log(`\n${section}\n\nwrote ${docs}`);
