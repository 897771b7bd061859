#!/usr/bin/env node
// Runs every benchmark in bench/ (files named *.bench.mjs), one after another.
// Each benchmark is bounded, talks only to loopback, and appends its figures (with the command
// that produced them) to docs/benchmarks.md. `npm run bench -- <filter>` runs the matching ones.
// bench/soak.mjs (server RSS under steady load, `npm run bench -- soak`) runs after them.
// At the end it prints the issue-13 goals P1–P4 (figure, baseline, ratio, met / not met) from the
// sections in docs/benchmarks.md (bench/support/summary.mjs), so a partial run shows the goals it
// did not re-measure as they were last measured, with their dates.
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { summaryLines } from './support/summary.mjs';

const dir = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const benches = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs') && f.includes(filter)).sort();
// The soak (bench/soak.mjs) runs last with a short default duration (SOAK_SECONDS, default 20 s).
if ('soak.mjs'.includes(filter)) benches.push('soak.mjs');
if (benches.length === 0) {
  console.error(`no benchmark matches "${filter}"`);
  process.exit(1);
}
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b}`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, b)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${b} failed (exit ${r.status ?? r.signal})`);
  }
}
console.log('\n=== summary');
for (const line of summaryLines(readFileSync(join(dir, '..', 'docs', 'benchmarks.md'), 'utf8'))) console.log(line);
process.exit(failed ? 1 : 0);
