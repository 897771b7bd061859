#!/usr/bin/env node
// `npm start`: the one-command demo. Starts two demo apps and a load generator on 127.0.0.1, then
// the server (standalone, scrape backend) on https://127.0.0.1:6443, writes a kubeconfig and prints
// the kubectl commands that show live values. Ctrl-C stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startDemoApp, type DemoApp } from './demo-app.js';
import { DEMO_NAMESPACE, demoCommands, demoServerConfig } from './demo-config.js';
import { writeDemoCredentials } from './demo-credentials.js';
import { startLoadGenerator, type LoadGenerator } from './load-generator.js';

/** The server's CLI: the `custom-metrics-server` bin of the installed @custom-metrics/server. */
const SERVER_CLI = serverCli();

function serverCli(): string {
  const manifestUrl = import.meta.resolve('@custom-metrics/server/package.json');
  const manifest = JSON.parse(readFileSync(new URL(manifestUrl), 'utf8')) as { bin: Record<string, string> };
  return fileURLToPath(new URL(manifest.bin['custom-metrics-server'], manifestUrl));
}
const READY_TIMEOUT_MS = 90_000;

interface Options {
  port: number;
  dir: string;
  scrapeInterval: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      dir: { type: 'string' },
      'scrape-interval': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: npm start [-- --port 6443] [--dir .cms-demo] [--scrape-interval 2s]\n' +
        'Environment: CMS_DEMO_PORT, CMS_DEMO_DIR, CMS_DEMO_SCRAPE_INTERVAL.\n',
    );
    process.exit(0);
  }
  const port = Number(values.port ?? process.env.CMS_DEMO_PORT ?? 6443);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${String(values.port ?? process.env.CMS_DEMO_PORT)}`);
  return {
    port,
    dir: resolve(values.dir ?? process.env.CMS_DEMO_DIR ?? '.cms-demo'),
    scrapeInterval: values['scrape-interval'] ?? process.env.CMS_DEMO_SCRAPE_INTERVAL ?? '2s',
  };
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** GETs `path` from the server with the demo client certificate; resolves status and body. */
function get(port: number, path: string, tls: { ca: string; cert: string; key: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', ...tls, timeout: 3000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 1_000_000) body += c;
      });
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const o = options();
  mkdirSync(o.dir, { recursive: true });
  const log = (line = '') => process.stdout.write(`${line}\n`);
  const apps: DemoApp[] = [];
  const running: { load?: LoadGenerator; server?: ChildProcess } = {};
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('\nStopping the demo...');
    running.load?.stop();
    const server = running.server;
    let serverCode: number | null = server?.exitCode ?? null;
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<number | null>((r) => server!.once('exit', (c) => r(c)));
      server.kill('SIGTERM');
      const killer = setTimeout(() => server?.kill('SIGKILL'), 15_000);
      serverCode = await exited;
      clearTimeout(killer);
    }
    await Promise.all(apps.map((a) => a.close()));
    if (code === 0 && serverCode !== 0 && serverCode !== null) {
      process.stderr.write(`The server exited with code ${serverCode} while stopping; see its log.\n`);
      code = 1;
    }
    log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  log('custom-metrics-server demo: custom metrics from a scraped app, no Kubernetes, no Prometheus');
  for (const name of ['demo-app-1', 'demo-app-2']) apps.push(await startDemoApp(name));
  running.load = startLoadGenerator({ targets: apps.map((a) => a.baseUrl) });
  log(`  demo apps   ${apps.map((a) => `${a.name} ${a.metricsUrl}`).join(', ')}`);
  log('  load        2-20 requests/s per app, rising and falling over 60 s');

  const serverUrl = `https://127.0.0.1:${o.port}`;
  const creds = writeDemoCredentials(o.dir, serverUrl);
  const configFile = join(o.dir, 'config.yaml');
  writeFileSync(
    configFile,
    stringify(
      demoServerConfig({
        apps,
        port: o.port,
        clientCaFile: creds.caFile,
        tlsCertFile: creds.servingCertFile,
        tlsPrivateKeyFile: creds.servingKeyFile,
        scrapeInterval: o.scrapeInterval,
      }),
    ),
  );
  const logFile = join(o.dir, 'server.log');
  const out = createWriteStream(logFile);
  // Its own process group: a terminal Ctrl-C reaches only the demo, which then stops the server
  // with one SIGTERM (a second signal would make the server skip its graceful shutdown).
  const server = spawn(process.execPath, [SERVER_CLI, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.server = server;
  process.once('exit', () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  });
  server.stdout?.pipe(out);
  server.stderr?.pipe(out);
  server.once('exit', (code, signal) => {
    if (stopping) return;
    let tail = '';
    try {
      tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      /* no log yet */
    }
    process.stderr.write(`\nThe server exited unexpectedly (${signal ?? `code ${code}`}). Last lines of ${display(logFile)}:\n${tail}\n`);
    void stop(1);
  });
  log(`  server      ${serverUrl} (standalone, backend "scrape"; config ${display(configFile)}, log ${display(logFile)})`);
  process.stdout.write('Waiting for the first values (two scrapes)...');

  const tls = { ...readClientCredentials(creds.kubeconfig), ca: readFileSync(creds.caFile, 'utf8') };
  const probe = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${DEMO_NAMESPACE}/pods/%2A/http_requests_per_second`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  for (;;) {
    if (stopping) return;
    try {
      const r = await get(o.port, probe, tls);
      last = `HTTP ${r.status}`;
      // Ready when every demo pod has a non-zero rate (the first two scrapes may see no traffic yet).
      const items = r.status === 200 ? ((JSON.parse(r.body) as { items?: Array<{ value: string }> }).items ?? []) : [];
      if (items.length === apps.length && items.every((i) => i.value !== '0')) break;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) {
      process.stderr.write(`\nThe server did not serve values within ${READY_TIMEOUT_MS / 1000} s (last: ${last}); see ${display(logFile)}.\n`);
      return stop(1);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  log(' ready.\n');
  log(`Try these (kubeconfig ${display(creds.kubeconfig)}):\n`);
  for (const c of demoCommands(display(creds.kubeconfig))) {
    log(`  # ${c.what}`);
    log(`  ${c.command}`);
    log();
  }
  log('Values change as the load rises and falls. Press Ctrl-C to stop.');
}

/** The PEM client certificate and key from the demo kubeconfig. */
function readClientCredentials(kubeconfig: string): { cert: string; key: string } {
  const text = readFileSync(kubeconfig, 'utf8');
  const field = (name: string) => Buffer.from(new RegExp(`${name}: (\\S+)`).exec(text)?.[1] ?? '', 'base64').toString('utf8');
  return { cert: field('client-certificate-data'), key: field('client-key-data') };
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
