#!/usr/bin/env node
// Soak: the real server (dist/cli/main.js, --max-old-space-size=256, TLS, client-certificate auth)
// under steady load from a separate load-generator process (bench/soak-load.mjs), recording the
// server's resident memory (process_resident_memory_bytes on its /metrics) every second. Bounded in
// time (--seconds, default 20; SOAK_SECONDS) and in requests (--max-requests, default 2,000,000),
// loopback only. Routes mix 200s over 100 pods, external metrics, discovery and 404 Statuses.
// Rewrites its own section of docs/benchmarks.md. Run: npm run bench -- soak, or
// node bench/soak.mjs --seconds 600 for a longer soak.
import { Buffer } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDemoCredentials } from '../examples/demo/dist/demo-credentials.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', Number(process.env.SOAK_SECONDS ?? 20));
const MAX_REQUESTS = arg('max-requests', 2_000_000);
const CONNECTIONS = arg('connections', 8);
const PODS = 100;
if (!(SECONDS > 0 && SECONDS <= 3600)) throw new Error('--seconds must be in (0, 3600]');

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'soak-'));
const port = await freePort();
const creds = writeDemoCredentials(dir, `https://127.0.0.1:${port}`);
const kubeconfig = readFileSync(creds.kubeconfig, 'utf8');
const data = (key) => Buffer.from(new RegExp(`${key}: (\\S+)`).exec(kubeconfig)[1], 'base64');
writeFileSync(join(dir, 'client.crt'), data('client-certificate-data'));
writeFileSync(join(dir, 'client.key'), data('client-key-data'));
const pods = Array.from({ length: PODS }, (_, i) => `web-${i}`);
writeFileSync(
  join(dir, 'config.yaml'),
  [
    'server:',
    `  securePort: ${port}`,
    '  bindAddress: 127.0.0.1',
    `  tlsCertFile: ${creds.servingCertFile}`,
    `  tlsPrivateKeyFile: ${creds.servingKeyFile}`,
    `  clientCaFile: ${creds.caFile}`,
    '  logLevel: warn',
    '  maxRequestsInflight: 1000',
    '  shutdownTimeoutSeconds: 2',
    '  authorizationAlwaysAllowPaths: [/healthz, /readyz, /livez, /metrics]',
    'backends:',
    '  - name: mem',
    '    type: memory',
    '    config:',
    '      custom:',
    `        - { resource: pods, metric: http_requests, objects: [${pods.map((p, i) => `{ namespace: soak, name: ${p}, value: ${i + 0.5}, labels: { app: web } }`).join(', ')}] }`,
    '      external:',
    '        - { name: queue_depth, series: [{ labels: { queue: a }, value: 1 }, { labels: { queue: b }, value: 2 }] }',
    'standalone:',
    '  objects:',
    ...pods.map((p) => `    - { resource: pods, namespace: soak, name: ${p}, labels: { app: web } }`),
    '',
  ].join('\n'),
);

const main = join(here, '..', 'packages', 'server', 'dist', 'cli', 'main.js');
const server = spawn(process.execPath, ['--max-old-space-size=256', main, '--config', join(dir, 'config.yaml'), '--standalone'], { stdio: ['ignore', 'ignore', 'pipe'] });
let serverErr = '';
server.stderr.on('data', (b) => (serverErr = (serverErr + b).slice(-4000)));
const ca = readFileSync(creds.caFile);
const get = (path) =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
const metric = (text, name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

try {
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`server exited: ${serverErr}`);
    if (i > 300) throw new Error('server did not start within 30 s');
    if ((await get('/livez').catch(() => ({ status: 0 }))).status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const paths = [
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/soak/pods/%2A/http_requests?labelSelector=app%3Dweb',
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/soak/pods/web-7/http_requests',
    '/apis/external.metrics.k8s.io/v1beta1/namespaces/soak/queue_depth',
    '/apis/custom.metrics.k8s.io/v1beta2',
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/soak/pods/%2A/nope',
  ];
  const samples = [];
  const sample = async (t) => {
    const m = await get('/metrics');
    samples.push({ t, rss: metric(m.body, 'process_resident_memory_bytes'), heap: metric(m.body, 'nodejs_heap_size_used_bytes') });
  };
  const started = Date.now();
  await sample(0);
  const load = spawn(
    process.execPath,
    [join(here, 'soak-load.mjs'), JSON.stringify({ url: `https://127.0.0.1:${port}`, paths, seconds: SECONDS, connections: CONNECTIONS, maxRequests: MAX_REQUESTS, ca: creds.caFile, cert: join(dir, 'client.crt'), key: join(dir, 'client.key') })],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let loadOut = '';
  load.stdout.on('data', (b) => (loadOut += b));
  const loadDone = new Promise((resolve) => load.on('exit', (code, sig) => { if (code !== 0) console.error(`load generator exited ${code ?? sig}`); resolve(); }));
  let finished = false;
  void loadDone.then(() => (finished = true));
  while (!finished && Date.now() - started < (SECONDS + 30) * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    await sample(Math.round((Date.now() - started) / 1000));
  }
  if (!finished) load.kill('SIGKILL');
  await loadDone;
  await sample(Math.round((Date.now() - started) / 1000));
  const result = JSON.parse(loadOut.trim().split('\n').pop());
  const alive = server.exitCode === null && (await get('/readyz')).status === 200;

  const MiB = (b) => (b / 2 ** 20).toFixed(1);
  const rss = samples.map((s) => s.rss);
  const every = Math.max(1, Math.ceil(samples.length / 12));
  const rows = samples.filter((_, i) => i % every === 0 || i === samples.length - 1).map((s) => `| ${s.t} | ${MiB(s.rss)} | ${MiB(s.heap)} |`);
  const tail = rss.slice(Math.floor(rss.length / 2));
  const summary = [
    `- ${result.requests.toLocaleString('en')} requests (${result.rps.toLocaleString('en')} req/s mean, p50 ${result.p50} ms, p99 ${result.p99} ms), non-2xx ${result.non2xx} (the 404 route is one in five), errors ${result.errors}, timeouts ${result.timeouts}; server alive and ready afterwards: ${alive ? 'yes' : 'NO'}.`,
    `- RSS: ${MiB(rss[0])} MiB idle, peak ${MiB(Math.max(...rss))} MiB, ${MiB(rss[rss.length - 1])} MiB at the end; second half of the run between ${MiB(Math.min(...tail))} and ${MiB(Math.max(...tail))} MiB.`,
  ];
  console.log(summary.join('\n'));
  const section = [
    '<!-- soak:start -->',
    '## soak: server memory under steady load',
    '',
    `Command: \`npm run bench -- soak\` (\`node bench/soak.mjs --seconds ${SECONDS}\`), ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
    `The real server process (\`--max-old-space-size=256\`, TLS, client-certificate authentication, in-memory backend, ${PODS} pods) under autocannon from a separate process, ${CONNECTIONS} connections for ${SECONDS} s (at most ${MAX_REQUESTS.toLocaleString('en')} requests), five routes in turn (\`*\` over ${PODS} pods, one pod, external, discovery, a 404 Status). RSS and heap read from the server's \`/metrics\` every second.`,
    '',
    ...summary,
    '',
    '| t (s) | RSS MiB | heap used MiB |',
    '|---|---|---|',
    ...rows,
    '<!-- soak:end -->',
  ].join('\n');
  const docs = join(here, '..', 'docs', 'benchmarks.md');
  const text = readFileSync(docs, 'utf8');
  const re = /<!-- soak:start -->[\s\S]*?<!-- soak:end -->/;
  writeFileSync(docs, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
  console.log(`\nwrote ${docs}`);
  if (!alive) process.exitCode = 1;
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.on('exit', r)));
  rmSync(dir, { recursive: true, force: true });
}
