// What can be checked of the image without a Docker engine: every file the Dockerfile copies exists
// after a build, and the entrypoint starts from a production-only install (npm ci --omit=dev, from
// the local npm cache: no network), reading the deploy/ config.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

  it('copies the package.json of every workspace package', () => {
    const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
    const sources = copiedSources();
    for (const ws of root.workspaces) {
      expect(sources).toContain(`${ws}/package.json`);
      expect(sources).toContain(`${ws}/dist`);
    }
  });

  describe('a production-only install', () => {
    const dir = tempDir('image');
    let install: ReturnType<typeof spawnSync> | undefined;
    beforeAll(() => {
      // Lay out /app as the runtime stage does: manifests + lock, npm ci --omit=dev, then dist/.
      const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
      for (const f of ['package.json', 'package-lock.json']) cpSync(join(repoRoot, f), join(dir.path, f));
      for (const ws of root.workspaces) {
        mkdirSync(join(dir.path, ws), { recursive: true });
        cpSync(join(repoRoot, ws, 'package.json'), join(dir.path, ws, 'package.json'));
      }
      install = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: dir.path, encoding: 'utf8', timeout: 240_000 });
      for (const ws of root.workspaces) cpSync(join(repoRoot, ws, 'dist'), join(dir.path, ws, 'dist'), { recursive: true });
    }, 300_000);
    afterAll(() => dir.remove());

    it('installs from the lock without dev dependencies', () => {
      expect(install?.status, String(install?.stderr)).toBe(0);
      expect(existsSync(join(dir.path, 'node_modules/vitest'))).toBe(false);
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
