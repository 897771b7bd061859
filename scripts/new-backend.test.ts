// The template is a working start: generating a backend from it gives a package whose own
// conformance test (core's kit over its fake client) passes, with every name renamed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, '.tmp', `new-backend-${process.pid}`);
const pkg = join(work, 'backend-acme');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? files(join(dir, e)) : [join(dir, e)]));
}

describe('npm run new-backend', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('refuses a bad name with a message naming the rule', () => {
    let stderr = '';
    try {
      execFileSync(process.execPath, [join(root, 'scripts/new-backend.mjs'), 'Bad-Name', '--dest', work], { stdio: 'pipe' });
    } catch (e) {
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(stderr).toMatch(/lower-case letters only/);
    expect(existsSync(pkg)).toBe(false);
  });

  it('generates a backend whose conformance test passes', { timeout: 300_000 }, () => {
    mkdirSync(work, { recursive: true });
    execFileSync(process.execPath, [join(root, 'scripts/new-backend.mjs'), 'acme', '--dest', work], { stdio: 'pipe' });
    const all = files(pkg).map((f) => f.slice(pkg.length + 1)).sort();
    for (const f of ['package.json', 'README.md', 'src/index.ts', 'src/plugin.ts', 'src/config.ts', 'src/config-schema.ts', 'src/client.ts', 'src/providers.ts', 'src/testing/index.ts', 'test/conformance.test.ts']) {
      expect(all).toContain(f);
    }
    for (const f of files(pkg)) expect(readFileSync(f, 'utf8'), f).not.toMatch(/template/i);
    expect(JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).name).toBe('@custom-metrics/backend-acme');
    expect(readFileSync(join(pkg, 'src/plugin.ts'), 'utf8')).toMatch(/export function createAcmeBackend\(ctx: BackendContext, config: AcmeBackendConfig, deps: AcmeBackendDeps = \{\}\)/);

    const tsconfig = JSON.parse(readFileSync(join(pkg, 'tsconfig.json'), 'utf8')) as { extends: string; references: Array<{ path: string }> };
    expect(resolve(pkg, tsconfig.extends)).toBe(join(root, 'tsconfig.base.json'));
    expect(resolve(pkg, tsconfig.references[0].path)).toBe(join(root, 'packages/core'));

    // Run the generated package's tests with aliases like the root vitest.config.ts.
    const src = (p: string) => JSON.stringify(join(root, 'packages', p));
    writeFileSync(
      join(work, 'vitest.config.mjs'),
      `export default {
  resolve: { alias: [
    { find: /^@custom-metrics\\/core\\/testing$/, replacement: ${src('core/src/testing/index.ts')} },
    { find: /^@custom-metrics\\/core$/, replacement: ${src('core/src/index.ts')} },
    { find: /^@custom-metrics\\/backend-acme\\/testing$/, replacement: ${JSON.stringify(join(pkg, 'src/testing/index.ts'))} },
    { find: /^@custom-metrics\\/backend-acme$/, replacement: ${JSON.stringify(join(pkg, 'src/index.ts'))} },
  ] },
  test: { include: ['test/**/*.test.ts', 'src/**/*.test.ts'], pool: 'forks' },
};\n`,
    );
    const out = execFileSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', pkg, '--config', join(work, 'vitest.config.mjs'), '--reporter', 'verbose'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(out).toMatch(/custom metrics conformance \(FakeAcmeClient\)/);
    expect(out).toMatch(/Tests\s+\d+ passed/);
    expect(out).not.toMatch(/failed/);
  });
});
