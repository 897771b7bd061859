// The published packages, as a user gets them: `npm pack` every workspace package, install the
// server with the Prometheus backend only into a project outside the workspace (from the tarballs;
// npm may use its local cache, else the registry), and run the README's "Write your own adapter"
// (examples/custom-adapter's sources, compiled against the installed packages) there, queried with kubectl.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, startProcess, tempDir, waitFor } from '../test-support/index.js';
import { makeKubectlClient } from '../test-support/kubectl-client.js';
import { repoRoot } from './support/manifests.js';

const PACKAGES = ['core', 'backend-prometheus', 'backend-datadog', 'backend-influx', 'backend-scrape', 'backend-memory', 'server'];
const kubectl = requireBinary('kubectl', 'apt-get install kubectl');

interface Packed {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

/** Runs a command to its end without blocking the test worker; rejects with its output when it fails. */
function exec(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
    const child = spawn(cmd, args, { cwd, env: { ...env, npm_config_update_notifier: 'false', npm_config_logs_max: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${err}`));
    });
  });
}

describe('packed packages installed outside the workspace', () => {
  const dir = tempDir('packages');
  const project = join(dir.path, 'project');
  let packed: Packed[] = [];
  const tarball = (pkg: string) => join(dir.path, packed.find((p) => p.name === `@custom-metrics/${pkg}`)!.filename);

  beforeAll(async () => {
    // npm pack runs no build: dist/ comes from `npm run build` (npm test builds first).
    const args = ['pack', ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`]), '--pack-destination', dir.path, '--json'];
    packed = JSON.parse(await exec('npm', args, repoRoot, 120_000)) as Packed[];
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-adapter', private: true, type: 'module' }));
    const install = ['install', tarball('core'), tarball('server'), tarball('backend-memory'), tarball('backend-prometheus'), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'];
    await exec('npm', install, project, 600_000);
  }, 900_000);
  afterAll(() => rm(dir.path, { recursive: true, force: true }), 120_000);

  it('packs every package without build info, tests or test-only sources', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(PACKAGES.map((p) => `@custom-metrics/${p}`).sort());
    for (const p of packed) {
      const paths = p.files.map((f) => f.path);
      expect(paths, p.name).toContain('package.json');
      expect(paths, p.name).toContain('README.md');
      expect(paths, p.name).toContain('dist/index.js');
      expect(paths.filter((f) => /\.tsbuildinfo$|\.test\.|\.test-util\.|(^|\/)(test|__tests__|src)\//.test(f)), p.name).toEqual([]);
    }
  });

  it('installs the server with the Prometheus backend only (and its own dependency, memory): no other backend and none of their clients', () => {
    const scoped = readdirSync(join(project, 'node_modules/@custom-metrics')).sort();
    expect(scoped).toEqual(['backend-memory', 'backend-prometheus', 'core', 'server']);
    for (const heavy of ['@datadog', '@influxdata']) expect(existsSync(join(project, 'node_modules', heavy)), heavy).toBe(false);
  });

  it('validates a Prometheus config, and names the package to install for a backend that is not installed', () => {
    const bin = join(project, 'node_modules/.bin/custom-metrics-server');
    writeFileSync(join(project, 'prometheus.yaml'), 'backends:\n  - name: prom\n    type: prometheus\n    config:\n      url: http://127.0.0.1:9090\n');
    const ok = spawnSync(bin, ['validate-config', 'prometheus.yaml'], { cwd: project, encoding: 'utf8' });
    expect(ok.stdout + ok.stderr).toContain('config OK');
    expect(ok.status).toBe(0);
    writeFileSync(join(project, 'datadog.yaml'), 'backends:\n  - name: dd\n    type: datadog\n    config: {}\n');
    const missing = spawnSync(bin, ['validate-config', 'datadog.yaml'], { cwd: project, encoding: 'utf8' });
    expect(missing.stderr).toContain('backends[0].type: "datadog" needs the package @custom-metrics/backend-datadog: npm install @custom-metrics/backend-datadog');
    expect(missing.status).toBe(2);
  });

  describe.skipIf(!kubectl)("the README's own adapter, built against the installed packages", () => {
    let proc: ReturnType<typeof startProcess> | undefined;
    let kubeconfig = '';
    const raw = (path: string): Record<string, unknown> =>
      JSON.parse(execFileSync(kubectl!, ['--kubeconfig', kubeconfig, 'get', '--raw', path], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] }));

    beforeAll(async () => {
      cpSync(join(repoRoot, 'examples/custom-adapter/src'), join(project, 'src'), { recursive: true, filter: (f) => !f.endsWith('.test.ts') });
      // Type-checked against the packed .d.ts files (the compiler is the workspace's: it is no dependency of the adapter).
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, rootDir: 'src', outDir: 'dist', skipLibCheck: true, types: ['node'], typeRoots: [join(repoRoot, 'node_modules/@types')] },
          include: ['src'],
        }),
      );
      await exec(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', '.'], project, 180_000);
      const port = await freePort();
      const client = makeKubectlClient(dir.path, port);
      kubeconfig = client.kubeconfig;
      writeFileSync(join(project, 'queues.json'), JSON.stringify({ jobs: 7, mail: 2 }));
      proc = startProcess(process.execPath, ['dist/main.js', 'queues.json', '--port', String(port), '--cert-dir', dir.path, '--client-ca-file', client.caFile, '--namespaces', 'default,jobs'], { cwd: project });
      await waitFor('adapter listening', async () => proc!.output().includes('listening on'), 30_000);
    }, 240_000);
    afterAll(() => proc?.stop());

    it('serves queue_length as an external metric labelled {queue} and follows the file', () => {
      const path = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_length';
      type List = { kind: string; items: Array<{ metricLabels: Record<string, string>; value: string }> };
      const all = raw(path) as List;
      expect(all.kind).toBe('ExternalMetricValueList');
      expect(all.items.map((i) => [i.metricLabels.queue, i.value]).sort()).toEqual([['jobs', '7'], ['mail', '2']]);
      writeFileSync(join(project, 'queues.json'), JSON.stringify({ jobs: 42 }));
      const jobs = raw(`${path}?labelSelector=${encodeURIComponent('queue=jobs')}`) as List;
      expect(jobs.items.map((i) => [i.metricLabels.queue, i.value])).toEqual([['jobs', '42']]);
    });

    it('serves it as a custom metric on namespaces', () => {
      writeFileSync(join(project, 'queues.json'), JSON.stringify({ jobs: 3 }));
      const one = raw('/apis/custom.metrics.k8s.io/v1beta2/namespaces/jobs/metrics/queue_length') as { items: Array<{ describedObject: { name: string }; value: string }> };
      expect(one.items.map((i) => [i.describedObject.name, i.value])).toEqual([['jobs', '3']]);
    });
  });
});
