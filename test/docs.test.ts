// Runs the shell snippets of the user-facing pages the way a reader copies them, and checks that
// every error message the docs quote is the one the code prints. Markers: test/support/doc-snippets.ts.
//
// Each page is a session: its ```sh blocks run in page order with bash (-e, -o pipefail), each in a
// fresh shell, in a fresh directory inside the checkout (.tmp/, so `npx custom-metrics-server`
// finds the workspace's binary as in any project that installed the server) — except README.md,
// whose commands are run from the repository root, as its Quick start says. The checkout is the one
// the test suite runs from, already installed (`npm ci`) and built. Two substitutions keep parallel
// runs apart: the port 6443 becomes a free port (in commands, written files and URLs; the demo gets
// it as CMS_DEMO_PORT), and KUBECONFIG is unset so no real cluster is ever used.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, tempDir, waitFor } from '../test-support/index.js';
import { docSteps, type DocStep } from './support/doc-snippets.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const PAGES = [
  'README.md',
  ...['core', 'server', 'backend-prometheus', 'backend-scrape', 'backend-influx', 'backend-datadog'].map((p) => `packages/${p}/README.md`),
  'docs/walkthrough.md',
  'examples/backend-plugin/README.md',
  'examples/custom-adapter/README.md',
];
/** Pages whose quoted messages are checked too; their shell blocks deploy to a cluster, build an image or run Helm. */
const MESSAGE_ONLY_PAGES = ['docs/deploy.md', 'docs/migrating-from-prometheus-adapter.md', 'docs/migrating-from-datadog.md', 'docs/architecture.md'];
const IN_REPO_ROOT = new Set(['README.md']);
const BIN = join(root, 'packages/server/bin/custom-metrics-server.js');

const kubectl = requireBinary('kubectl', 'Debian/Ubuntu: the kubernetes apt repository; .ci/run installs it');
const openssl = requireBinary('openssl', 'apt-get install openssl');

function baseEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CMS_DEMO_PORT: String(port), NO_COLOR: '1' };
  delete env.KUBECONFIG;
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k]; // not the outer npm's settings
  return env;
}

/** A process group started by a background block; stopped (SIGTERM, then SIGKILL) at the page's end. */
interface Background { child: ChildProcess; output: () => string; stop(): Promise<void> }

function startBackground(script: string, cwd: string, env: NodeJS.ProcessEnv): Background {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      /* already gone */
    }
  };
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => signal('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        signal('SIGTERM');
      }),
  };
}

function runForeground(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => {
      out += `\n[docs test: timed out after ${timeoutMs} ms]`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function answers200(url: string): Promise<boolean> {
  const r = spawnSync('curl', ['-ks', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', url], { encoding: 'utf8' });
  return r.stdout === '200';
}

/** A node_modules of symlinks to the workspace's, without `pkg`, for "not installed" messages. */
function nodeModulesWithout(pkg: string, into: string): string {
  const nm = join(into, 'node_modules');
  mkdirSync(nm, { recursive: true });
  const src = join(root, 'node_modules');
  for (const entry of readdirSync(src)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      mkdirSync(join(nm, entry));
      for (const sub of readdirSync(join(src, entry))) if (`${entry}/${sub}` !== pkg) symlinkSync(join(src, entry, sub), join(nm, entry, sub));
    } else if (entry !== pkg) symlinkSync(join(src, entry), join(nm, entry));
  }
  return nm;
}

/** What `custom-metrics-server validate-config config.yaml` prints in test/docs-messages/DIR. */
async function validateConfigOutput(step: DocStep & { kind: 'message' }, scratch: string): Promise<{ status: number | null; lines: string[] }> {
  const cwd = join(root, 'test/docs-messages', step.dir);
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/TOKEN|API_KEY|APP_KEY|PASSWORD/.test(k)) delete env[k];
  let args = [BIN, 'validate-config', 'config.yaml'];
  if (step.without) {
    // Outside the checkout, or Node's lookup would walk up to the workspace's node_modules.
    const nm = nodeModulesWithout(step.without, mkdtempSync(join(scratch, 'without-')));
    args = ['--preserve-symlinks', '--preserve-symlinks-main', join(nm, '@custom-metrics/server/bin/custom-metrics-server.js'), 'validate-config', 'config.yaml'];
  }
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      if (err && status === null) return reject(err);
      resolve({ status, lines: `${stdout}\n${stderr}`.split('\n').map((l) => l.trim()) });
    });
  });
}

const parse = (page: string) => ({ page, steps: docSteps(readFileSync(join(root, page), 'utf8'), page) });
const pages = PAGES.map(parse);

describe('quoted error messages are the ones the code prints', () => {
  let scratch: { path: string; remove(): void };
  const runs = new Map<string, ReturnType<typeof validateConfigOutput>>(); // one run per fixture, shared by its quotes
  beforeAll(() => {
    scratch = tempDir('docs-messages');
  });
  afterAll(() => scratch.remove());

  const messages = [...pages, ...MESSAGE_ONLY_PAGES.map(parse)].flatMap(({ page, steps }) => steps.filter((s) => s.kind === 'message').map((s) => ({ page, step: s })));
  it('the docs quote at least the config errors of items in the server README', () => {
    expect(messages.length).toBeGreaterThanOrEqual(5);
  });
  for (const { page, step } of messages) {
    it.concurrent(`${page}:${step.line} (${step.dir}${step.without ? ` without ${step.without}` : ''})`, async () => {
      const key = `${step.dir} ${step.without ?? ''}`;
      if (!runs.has(key)) runs.set(key, validateConfigOutput(step, scratch.path));
      const { status, lines } = await runs.get(key)!;
      expect(status, lines.join('\n')).toBe(2);
      for (const q of step.quote) expect(lines, `quoted in ${page}:${step.line}`).toContain(q.trim());
    }, 70_000);
  }
});

describe.skipIf(!kubectl || !openssl)('shell snippets run as written', () => {
  for (const { page, steps } of pages) {
    const runnable = steps.filter((s) => s.kind === 'sh');
    if (runnable.length === 0) {
      it(`${page}: every shell block says why it is not run`, () => {
        for (const s of steps.filter((x) => x.kind === 'skip')) expect((s as { reason: string }).reason.length).toBeGreaterThan(10);
      });
      continue;
    }
    it.concurrent(`${page}: ${runnable.length} block(s) run, ${steps.filter((s) => s.kind === 'skip').length} excluded with a reason`, async () => {
      const port = await freePort();
      const sub = (s: string) => s.replace(/\b6443\b/g, String(port));
      mkdirSync(join(root, '.tmp'), { recursive: true });
      const session = mkdtempSync(join(root, '.tmp', `docs-${page.replace(/[/.]/g, '-')}-`));
      const cwd = IN_REPO_ROOT.has(page) ? root : session;
      const env = baseEnv(port);
      const backgrounds: Background[] = [];
      try {
        for (const step of steps) {
          const where = `${page}:${step.line}`;
          if (step.kind === 'file') {
            const file = join(cwd, step.name);
            mkdirSync(dirname(file), { recursive: true });
            writeFileSync(file, sub(step.content));
          } else if (step.kind === 'sh' && step.background) {
            const bg = startBackground(sub(step.script), cwd, env);
            backgrounds.push(bg);
            if (step.wait) {
              const text = step.wait;
              await waitFor(`${where} to print ${text}`, async () => {
                if (bg.child.exitCode !== null) throw new Error(`exited ${bg.child.exitCode}`);
                return bg.output().includes(text);
              }, 150_000, 250).catch((e: Error) => {
                throw new Error(`${e.message}\n--- output of ${where}:\n${bg.output()}`);
              });
            }
            if (step.ready) {
              const url = sub(step.ready);
              await waitFor(`${where} to answer ${url}`, async () => {
                if (bg.child.exitCode !== null) throw new Error(`exited ${bg.child.exitCode}:\n${bg.output()}`);
                return answers200(url);
              }, 120_000, 250).catch((e: Error) => {
                throw new Error(`${e.message}\n--- output of ${where}:\n${bg.output()}`);
              });
            }
          } else if (step.kind === 'sh') {
            const { code, out } = await runForeground(sub(step.script), cwd, env, 60_000);
            const bgOut = backgrounds.map((b) => b.output()).join('\n');
            expect(code, `${where} failed:\n${step.script}\n--- output:\n${out}\n--- background output:\n${bgOut}`).toBe(0);
            const squeeze = (t: string) => t.replace(/\s+/g, ''); // JSON comes pretty-printed or compact
            for (const text of step.expect) expect(squeeze(out), `${where}: output should contain ${text}:\n${out}`).toContain(squeeze(sub(text)));
          }
        }
      } finally {
        await Promise.all(backgrounds.map((b) => b.stop()));
        rmSync(session, { recursive: true, force: true });
      }
    }, 170_000);
  }
});
