// The self-containment check that `npm run lint` runs: this repository refers to nothing outside
// itself, and the check does catch a path that climbs out.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/index.js';

const script = fileURLToPath(new URL('./check-paths.mjs', import.meta.url));

describe('check-paths', () => {
  it('passes on this repository: no tracked file refers to a path outside it', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('fails, naming file and line, when a test reads a sibling folder of the clone', () => {
    const dir = tempDir('check-paths');
    try {
      const repo = join(dir.path, 'repo');
      mkdirSync(join(repo, 'scripts'), { recursive: true });
      mkdirSync(join(repo, 'packages/core/test'), { recursive: true });
      copyFileSync(script, join(repo, 'scripts/check-paths.mjs'));
      const escape = `${'../'.repeat(4)}shared/contract/x.json`; // built here so this file itself passes the check
      writeFileSync(join(repo, 'packages/core/test/a.test.ts'), `const ok = '../src/index.js';\nconst bad = '${escape}';\n`);
      execFileSync('git', ['init', '-q'], { cwd: repo });
      const r = spawnSync(process.execPath, [join(repo, 'scripts/check-paths.mjs')], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`packages/core/test/a.test.ts:2: ${'../'.repeat(4)}shared points outside the repository`);
      expect(r.stderr).not.toContain('a.test.ts:1');
    } finally {
      dir.remove();
    }
  });
});
