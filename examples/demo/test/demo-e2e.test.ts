import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, startProcess, tempDir, waitFor } from '../../../test-support/index.js';

const kubectl = requireBinary('kubectl', 'install kubectl (https://kubernetes.io/docs/tasks/tools/)');
const root = fileURLToPath(new URL('../../../', import.meta.url));
const demoMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Parses the Kubernetes quantities the server renders (DecimalSI: `1500m`, `12`, `3k`). */
function quantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(n|u|m|k|M|G|T)?$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  const scale: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
}

function sh(command: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('sh', ['-c', command], { cwd, timeout: 20_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`${command}: ${err.message}\n${stderr}`)) : resolve(stdout))),
  );
}

describe.skipIf(!kubectl)('npm start: the demo end to end with kubectl', () => {
  let demo: ReturnType<typeof startProcess>;
  let dir: ReturnType<typeof tempDir>;
  let port: number;
  let commands: string[] = [];

  beforeAll(async () => {
    // The root `npm test` builds first; build here too so the test never runs a stale demo.
    execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b', 'examples/demo'], { cwd: root, stdio: 'pipe', timeout: 170_000 });
    expect(existsSync(demoMain)).toBe(true);
    dir = tempDir('demo');
    port = await freePort();
    demo = startProcess(process.execPath, [demoMain, '--port', String(port), '--dir', dir.path, '--scrape-interval', '1s'], { cwd: dir.path });
    await waitFor('the demo to print its commands', async () => {
      if (demo.child.exitCode !== null) throw new Error(`demo exited early:\n${demo.output()}`);
      return demo.output().includes('Press Ctrl-C');
    }, 120_000, 250).catch((e: Error) => {
      throw new Error(`${e.message}\n--- demo output ---\n${demo.output()}`);
    });
    commands = demo
      .output()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('kubectl '));
  }, 300_000);

  afterAll(async () => {
    await demo?.stop('SIGKILL');
    dir?.remove();
  });

  it('prints kubectl commands that use the written kubeconfig', () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const c of commands) expect(c).toMatch(/^kubectl --kubeconfig kubeconfig get --raw '\/apis\//);
    expect(demo.output()).toContain(`https://127.0.0.1:${port}`);
  });

  it('serves live, changing per-pod request rates', async () => {
    const rates = async () => {
      const list = JSON.parse(await sh(commands[0], dir.path)) as { kind: string; items: Array<{ describedObject: { name: string }; value: string }> };
      expect(list.kind).toBe('MetricValueList');
      return Object.fromEntries(list.items.map((i) => [i.describedObject.name, quantity(i.value)]));
    };
    const first = await rates();
    expect(Object.keys(first).sort()).toEqual(['demo-app-1', 'demo-app-2']);
    // The demo prints its commands once every pod has a non-zero rate.
    for (const v of Object.values(first)) expect(v).toBeGreaterThan(0);
    const changed = await waitFor('a different value', async () => {
      const now = await rates();
      return Object.keys(now).some((k) => now[k] !== first[k]) && now;
    }, 30_000, 1000);
    for (const v of Object.values(changed)) expect(v).toBeGreaterThan(0);
  });

  it('answers every printed command with a document', async () => {
    for (const c of commands.slice(1)) {
      const doc = JSON.parse(await sh(c, dir.path)) as { kind: string; items?: Array<{ value: string }> };
      expect(['MetricValueList', 'ExternalMetricValueList', 'APIResourceList']).toContain(doc.kind);
      if (doc.kind === 'ExternalMetricValueList') expect(doc.items?.length).toBe(2);
    }
  });

  it('stops everything cleanly on Ctrl-C (SIGINT)', async () => {
    const exited = new Promise<number | null>((resolve) => demo.child.once('exit', (code) => resolve(code)));
    demo.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(demo.output()).toContain('Stopped.');
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
