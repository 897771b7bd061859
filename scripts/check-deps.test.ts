// The dependency-direction check that `npm run lint` runs covers tests and examples too: it passes
// on this repository, and catches a backend test reaching into the server and an example importing
// a package's internals.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/index.js';

const script = fileURLToPath(new URL('./check-deps.mjs', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** `n` levels up, built here so this file itself passes the path check (the paths are inside the fake repository). */
const up = (n: number) => '../'.repeat(n);

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A minimal workspace: core, one backend and one example, each importing only what it may. */
function fakeRepo(repo: string): void {
  mkdirSync(join(repo, 'scripts'), { recursive: true });
  copyFileSync(script, join(repo, 'scripts/check-deps.mjs'));
  symlinkSync(join(repoRoot, 'node_modules'), join(repo, 'node_modules'));
  const pkg = (name: string, deps: string[]) => {
    write(join(repo, `packages/${name}/package.json`), JSON.stringify({ name: `@custom-metrics/${name}`, exports: { '.': './dist/index.js', ...(name === 'core' ? { './testing': './dist/testing/index.js' } : {}) }, dependencies: Object.fromEntries(deps.map((d) => [`@custom-metrics/${d}`, '0.1.0'])) }));
    write(join(repo, `packages/${name}/tsconfig.json`), JSON.stringify({ compilerOptions: {}, references: deps.map((d) => ({ path: `../${d}` })) }));
  };
  pkg('core', []);
  write(join(repo, 'packages/core/src/index.ts'), 'export const one = 1;\n');
  pkg('backend-x', ['core']);
  write(join(repo, 'packages/backend-x/src/index.ts'), "import { one } from '@custom-metrics/core';\nexport const two = one + 1;\n");
  write(join(repo, 'packages/backend-x/test/x.test.ts'), `import { two } from '../src/index.js';\nimport { fake } from '@custom-metrics/core/testing';\nimport { freePort } from '${up(3)}test-support/index.js';\n`);
  pkg('server', ['core']);
  write(join(repo, 'packages/server/src/index.ts'), "export const three = 3;\n");
  write(join(repo, 'examples/ex/src/index.ts'), "import { one } from '@custom-metrics/core';\nimport { fake } from '@custom-metrics/core/testing';\nimport { three } from '@custom-metrics/server';\n");
  write(join(repo, 'test/backends/x-server.test.ts'), `import { two } from '${up(2)}packages/backend-x/src/index.js';\nimport { three } from '${up(2)}packages/server/src/index.js';\n`);
}

const run = (repo: string) => spawnSync(process.execPath, [join(repo, 'scripts/check-deps.mjs')], { encoding: 'utf8', timeout: 60_000 });

describe('check-deps', () => {
  it('passes on this repository', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('accepts backend tests importing core, the backend and test-support, examples using entry points, and anything in the root test/', () => {
    const dir = tempDir('check-deps');
    try {
      const repo = join(dir.path, 'repo');
      fakeRepo(repo);
      const r = run(repo);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      dir.remove();
    }
  });

  it("fails, naming the file, when a backend's test imports the server's harness or an example reaches into a package", () => {
    const dir = tempDir('check-deps');
    try {
      const repo = join(dir.path, 'repo');
      fakeRepo(repo);
      write(join(repo, 'packages/backend-x/test/server.test.ts'), `import { h } from '${up(2)}server/test/support/harness.js';\nimport { three } from '@custom-metrics/server';\n`);
      write(join(repo, 'examples/ex/test/ex.test.ts'), `import { one } from '@custom-metrics/core/src/index.js';\nimport { two } from '${up(3)}packages/backend-x/src/index.js';\n`);
      const r = run(repo);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`packages/backend-x/test/server.test.ts: imports ${up(2)}server/test/support/harness.js, outside packages/backend-x`);
      expect(r.stderr).toContain("packages/backend-x/test/server.test.ts: a backend's tests import core only (and itself), not @custom-metrics/server");
      expect(r.stderr).toContain('examples/ex/test/ex.test.ts: an example imports published entry points only (package.json exports), not @custom-metrics/core/src/index.js');
      expect(r.stderr).toContain(`examples/ex/test/ex.test.ts: imports ${up(3)}packages/backend-x/src/index.js, outside examples/ex`);
    } finally {
      dir.remove();
    }
  });
});
