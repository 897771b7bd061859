// The image, built for real without a Docker engine: the build context is what .dockerignore lets
// through, every stage's COPY and RUN run in a temporary directory standing for its filesystem
// (`npm ci` and `tsc` included; npm may use its local cache, else the registry), and the final
// stage's entrypoint runs `validate-config` on the deploy/ config. Nothing is cached outside the
// temporary directory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { freePort, startProcess, tempDir, waitFor } from '../test-support/index.js';
import { buildDockerfile, materializeContext, parseDockerfile, type BuiltStage } from './support/docker-build.js';
import { repoRoot } from './support/manifests.js';

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const BACKENDS = ['prometheus', 'datadog', 'influx', 'scrape', 'memory'];

/** The environment of RUN: this machine's PATH and HOME (npm's cache), none of the npm settings of the test run itself. */
function runEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k) && k !== 'NODE_ENV' && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false', npm_config_loglevel: 'error', npm_config_logs_max: '0' };
}

/** GET https://127.0.0.1:port/livez (self-signed certificate, not verified); the body. */
function livez(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/livez', rejectUnauthorized: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('Dockerfile', () => {
  it('is multi-stage, non-root, and starts custom-metrics-server', () => {
    const ins = parseDockerfile(dockerfile);
    expect(ins.filter((i) => i.op === 'FROM').length).toBeGreaterThanOrEqual(3);
    expect(ins.find((i) => i.op === 'USER')?.args).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(ins.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
    const entry = JSON.parse(ins.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
    expect(entry).toEqual(['node', '/app/packages/server/dist/cli/main.js']);
    // The package's binary is a small committed wrapper that imports the built CLI: the image runs that CLI directly.
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages/server/package.json'), 'utf8'));
    const bin = readFileSync(join(repoRoot, 'packages/server', manifest.bin['custom-metrics-server']), 'utf8');
    expect(bin).toContain("import('../dist/cli/main.js')");
    expect(entry[1]).toBe('/app/packages/server/dist/cli/main.js');
  });

  it('documents a run command that works with the image: a config mounted, a writable --cert-dir, the port served', () => {
    const header = dockerfile.split('\n').filter((l) => l.startsWith('#')).join('\n').replace(/\\\n#\s*/g, ' ');
    const run = /docker run (.*)/.exec(header)?.[1] ?? '';
    const tmpfs = /--tmpfs (\S+)/.exec(run)?.[1];
    const mount = /-v "?[^:\s]+:([^:\s"]+)/.exec(run)?.[1];
    expect(tmpfs, run).toBeDefined();
    expect(mount, run).toBeDefined();
    expect(run).toContain('--read-only');
    expect(run).toMatch(new RegExp(`--config ${mount}\\b`));
    expect(run).toMatch(new RegExp(`--cert-dir ${tmpfs}\\b`));
    const port = /--secure-port (\d+)/.exec(run)?.[1];
    expect(run).toContain(`-p ${port}:${port}`);
    // The same directory as the image's default CMD and the Deployment's emptyDir.
    expect(parseDockerfile(dockerfile).find((i) => i.op === 'CMD')?.args).toContain(`--cert-dir=${tmpfs}`);
    expect(readFileSync(join(repoRoot, 'deploy/04-deployment.yaml'), 'utf8')).toContain(`mountPath: ${tmpfs}`);
  });

  describe('built without a Docker engine', () => {
    const dir = tempDir('image');
    let context: string[] = [];
    let stages: BuiltStage[] = [];
    let image: BuiltStage;
    beforeAll(async () => {
      const t0 = Date.now();
      context = materializeContext(repoRoot, join(dir.path, 'context'));
      stages = await buildDockerfile(dockerfile, { context: join(dir.path, 'context'), workDir: join(dir.path, 'stages'), runEnv: runEnv(), runTimeoutMs: 600_000 });
      image = stages.at(-1)!;
      const runs = stages.flatMap((s) => s.runs.map((r) => `${s.name}: ${r.command.slice(0, 60)} ${(r.ms / 1000).toFixed(0)} s`));
      process.stdout.write(`image built in ${((Date.now() - t0) / 1000).toFixed(0)} s (${runs.join('; ')})\n`);
    }, 900_000);
    afterAll(() => rm(dir.path, { recursive: true, force: true }), 300_000);

    it('sends a context without build output, tests, examples or dependencies', () => {
      expect(context).toContain('package-lock.json');
      expect(context).toContain('packages/server/src/index.ts');
      for (const f of context) expect(f).not.toMatch(/(^|\/)(node_modules|dist|examples|test)\/|\.test\.ts$|\.tsbuildinfo$/);
    });

    it('runs as the non-root user, with the production dependencies only', () => {
      const app = join(image.root, 'app');
      expect(image.user).toBe('65532:65532');
      expect(image.env.NODE_ENV).toBe('production');
      expect(existsSync(join(app, 'node_modules/koa'))).toBe(true);
      for (const dev of ['typescript', 'vitest', 'eslint', 'lerna']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
      expect(existsSync(join(app, 'examples'))).toBe(false);
      expect(existsSync(join(app, 'packages/server/src'))).toBe(false);
    });

    it('ships every built-in backend, each importable from /app', () => {
      const script = `for (const t of ${JSON.stringify(BACKENDS)}) { const m = await import('@custom-metrics/backend-' + t); if (typeof m.default?.create !== 'function') throw new Error(t + ' is no plugin'); }`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(image.root, 'app'), encoding: 'utf8', env: { ...runEnv(), ...image.env } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it('runs the entrypoint: validate-config on the deploy/ config', () => {
      const cm = parseYaml(readFileSync(join(repoRoot, 'deploy/03-config.yaml'), 'utf8')) as { data: Record<string, string> };
      const cfg = join(image.root, 'etc/custom-metrics/config.yaml');
      mkdirSync(join(cfg, '..'), { recursive: true });
      writeFileSync(cfg, cm.data['config.yaml']!);
      // ENTRYPOINT ["node", "/app/..."]: node is the base image's, /app is the image's filesystem.
      const [node, ...entry] = image.entrypoint!;
      expect(node).toBe('node');
      const argv = entry.map((a) => (a.startsWith('/') ? join(image.root, a) : a));
      const exec = (args: string[]) => spawnSync(process.execPath, [...argv, ...args], { cwd: join(image.root, image.workdir), encoding: 'utf8', env: { ...runEnv(), ...image.env } });
      const help = exec(['--help']);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toContain('validate-config');
      const r = exec(['validate-config', cfg]);
      expect(r.stdout + r.stderr).toContain('config OK');
      expect(r.status).toBe(0);
    });

    it("serves with the header's `docker run` arguments, writing only to the --cert-dir tmpfs (read-only root)", async () => {
      // docker run --read-only --tmpfs T -v config:C IMAGE serve --config C --secure-port P --cert-dir T
      const header = dockerfile.split('\n').filter((l) => l.startsWith('#')).join('\n').replace(/\\\n#\s*/g, ' ');
      const args = /docker run .*?\scustom-metrics-server\s+(serve .*)/.exec(header)![1]!.split(/\s+/);
      const tmpfs = join(dir.path, 'tmpfs');
      const port = await freePort();
      const mapped = args.map((a, i) => {
        if (args[i - 1] === '--config') return join(image.root, a);
        if (args[i - 1] === '--cert-dir') return join(tmpfs, a);
        if (args[i - 1] === '--secure-port') return String(port);
        return a;
      });
      const cm = parseYaml(readFileSync(join(repoRoot, 'deploy/03-config.yaml'), 'utf8')) as { data: Record<string, string> };
      const cfg = mapped[args.indexOf('--config') + 1]!;
      mkdirSync(join(cfg, '..'), { recursive: true });
      writeFileSync(cfg, cm.data['config.yaml']!);
      const before = readdirSync(image.root, { recursive: true }).map(String).sort();
      const [, ...entry] = image.entrypoint!;
      const env = { ...runEnv(), ...image.env, KUBERNETES_SERVICE_HOST: '' }; // not in a cluster: standalone
      const proc = startProcess(process.execPath, [...entry.map((a) => join(image.root, a)), ...mapped], { cwd: join(image.root, image.workdir), env });
      try {
        await waitFor(`/livez of the server (${proc.output().slice(-500)})`, async () => (await livez(port)) === 'ok', 60_000);
        expect(readdirSync(join(tmpfs, args[args.indexOf('--cert-dir') + 1]!)).sort()).toEqual(['apiserver.crt', 'apiserver.key']);
      } finally {
        await proc.stop();
      }
      expect(readdirSync(image.root, { recursive: true }).map(String).sort()).toEqual(before);
    }, 120_000);
  });
});
