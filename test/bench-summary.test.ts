// The goal summary `npm run bench` prints at its end (bench/support/summary.mjs): it reads each
// goal's figure from the section its benchmark wrote in docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/index.js';
import { repoRoot } from './support/manifests.js';

const summary = (page?: string) => execFileSync(process.execPath, [join(repoRoot, 'bench', 'support', 'summary.mjs'), ...(page ? [page] : [])], { encoding: 'utf8' });

describe('bench summary', () => {
  it('finds a figure, baseline, ratio and status for each of P1–P4 in docs/benchmarks.md', () => {
    const out = summary();
    for (const goal of ['P1', 'P2', 'P3', 'P4']) {
      const block = out.split('\n').findIndex((l) => l.startsWith(`${goal} `));
      expect(block, goal).toBeGreaterThanOrEqual(0);
      const lines = out.split('\n').slice(block + 1, block + 5).join('\n');
      expect(lines, goal).toMatch(/now: .+\n {2}baseline: .+\n {2}ratio: .+\n {2}status: (MET|NOT MET) \(measured \d{4}-\d\d-\d\dT\d\d:\d\dZ/);
    }
  });

  it('keeps the goals a partial run measured and names the benchmark to run for the others', () => {
    const dir = tempDir('cms-bench-summary-');
    try {
      const page = readFileSync(join(repoRoot, 'docs', 'benchmarks.md'), 'utf8');
      const only = /<!-- request-size:start -->[\s\S]*?<!-- request-size:end -->/.exec(page)?.[0];
      expect(only).toBeDefined();
      const file = join(dir.path, 'benchmarks.md');
      writeFileSync(file, `# Benchmarks\n\n${only}\n`);
      const out = summary(file);
      expect(out).toMatch(/P4 big selectors[^\n]*\n {2}now: POST [\d,]+ B, GET [\d,]+ B\n[\s\S]*?status: (MET|NOT MET)/);
      for (const bench of ['overhead', 'prometheus', 'coalescing']) expect(out).toContain(`no figure found in docs/benchmarks.md: run \`npm run bench -- ${bench}\``);
    } finally {
      dir.remove();
    }
  });
});
