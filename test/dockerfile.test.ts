// What can be checked of the image without a Docker engine: every file the Dockerfile copies exists
// after a build, and the entrypoint starts from a production-only install (the tree npm ci --omit=dev
// makes from the lock, assembled from this checkout: no network), reading the deploy/ config.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { tempDir } from '../test-support/index.js';
import { repoRoot } from './support/manifests.js';

interface Instruction { op: string; args: string }

function instructions(): Instruction[] {
  const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

/** Sources of `COPY` instructions, relative to the build context (`/src/...` inside the build stage maps to the repo). */
function copiedSources(): string[] {
  const out: string[] = [];
  for (const i of instructions().filter((x) => x.op === 'COPY')) {
    const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--chown'));
    const from = parts[0]!.startsWith('--from=') ? parts.shift()!.slice('--from='.length) : undefined;
    const sources = parts.slice(0, -1);
    if (from === 'prod-deps') continue; // produced inside the image by npm ci
    for (const s of sources) out.push(from === 'build' ? s.replace(/^\/src\//, '') : s);
  }
  return out;
}

describe('Dockerfile', () => {
  it('is multi-stage, non-root, and starts custom-metrics-server', () => {
    const ins = instructions();
    expect(ins.filter((i) => i.op === 'FROM').length).toBeGreaterThanOrEqual(3);
    expect(ins.find((i) => i.op === 'USER')?.args).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(ins.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
    const entry = JSON.parse(ins.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
    expect(entry).toEqual(['node', '/app/packages/server/dist/cli/main.js']);
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages/server/package.json'), 'utf8'));
    expect(`/app/packages/server/${manifest.bin['custom-metrics-server'].replace(/^\.\//, '')}`).toBe(entry[1]);
  });

  it('copies only files that exist after npm run build', () => {
    const missing = copiedSources().filter((s) => s !== './' && !existsSync(join(repoRoot, s)));
    expect(missing).toEqual([]);
  });

  it('copies the package.json and dist/ of every package (the examples stay out of the image)', () => {
    const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
    const sources = copiedSources();
    expect(sources.some((s) => s.startsWith('examples'))).toBe(false);
    expect(readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n')).toContain('examples');
    // npm ci --omit=dev skips workspaces whose folders are absent, so the lock needs no change.
    for (const ws of root.workspaces.filter((w) => w.startsWith('packages/'))) {
      expect(sources).toContain(`${ws}/package.json`);
      expect(sources).toContain(`${ws}/dist`);
    }
  });

  describe('a production-only install', () => {
    const dir = tempDir('image');
    let productionPackages: string[] = [];
    beforeAll(() => {
      // Lay out /app as the runtime stage does. `npm ci --omit=dev` would need the registry, and
      // tests stay off the network, so the same tree is assembled from this checkout: npm itself
      // names the production packages of the lock (`npm ls --omit=dev`), they are copied from
      // node_modules, the workspace packages get their package.json and dist/.
      const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repoRoot, encoding: 'utf8' });
      productionPackages = ls.stdout.split('\n').filter((p) => p.includes('/node_modules/'));
      for (const f of ['package.json', 'package-lock.json']) cpSync(join(repoRoot, f), join(dir.path, f));
      for (const abs of productionPackages) {
        const rel = relative(repoRoot, abs);
        const real = realpathSync(abs);
        if (real !== abs && !real.includes('/node_modules/')) {
          const ws = relative(repoRoot, real);
          mkdirSync(join(dir.path, ws), { recursive: true });
          cpSync(join(real, 'package.json'), join(dir.path, ws, 'package.json'));
          cpSync(join(real, 'dist'), join(dir.path, ws, 'dist'), { recursive: true });
          mkdirSync(dirname(join(dir.path, rel)), { recursive: true });
          symlinkSync(relative(dirname(join(dir.path, rel)), join(dir.path, ws)), join(dir.path, rel));
        } else if (!existsSync(join(dir.path, rel))) {
          cpSync(abs, join(dir.path, rel), { recursive: true });
        }
      }
    }, 300_000);
    afterAll(() => dir.remove());

    it('holds the production dependencies only', () => {
      expect(productionPackages.length).toBeGreaterThan(10);
      expect(existsSync(join(dir.path, 'node_modules/vitest'))).toBe(false);
      expect(existsSync(join(dir.path, 'node_modules/typescript'))).toBe(false);
      expect(existsSync(join(dir.path, 'node_modules/koa'))).toBe(true);
    });

    it('runs the entrypoint: validate-config on the deploy/ config', () => {
      const cm = parseYaml(readFileSync(join(repoRoot, 'deploy/03-config.yaml'), 'utf8')) as { data: Record<string, string> };
      const cfg = join(dir.path, 'etc/config.yaml');
      mkdirSync(dirname(cfg), { recursive: true });
      writeFileSync(cfg, cm.data['config.yaml']!);
      const main = join(dir.path, 'packages/server/dist/cli/main.js');
      const help = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toContain('validate-config');
      const r = spawnSync(process.execPath, [main, 'validate-config', cfg], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
      expect(r.stdout + r.stderr).toContain('OK');
      expect(r.status).toBe(0);
    });
  });
});
