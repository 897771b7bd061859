#!/usr/bin/env node
// Dependency-direction and cycle check (design §2, style "house rules"), over sources, tests and examples:
//  - core imports nothing with I/O and no other workspace package (its tests: core and core/testing only);
//  - a backend, and a backend's tests, import core only (never the server, never another backend);
//  - nothing in packages/ imports the server;
//  - a package's files (tests included) import by relative path only inside the package, and
//    tests also from the root test-support/ (never another package's src/ or test/);
//  - examples import workspace packages through their published entry points only (package.json
//    `exports`), and by relative path only inside the example (tests also test-support/);
//  - tsconfig references mirror package.json workspace dependencies;
//  - no import cycles inside any package (madge).
// The root test/ folder is the cross-package integration layer (server + backends + real
// processes) and is not restricted.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import madge from 'madge';

const root = new URL('..', import.meta.url).pathname;
const pkgsDir = join(root, 'packages');
const problems = [];

const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|child_process|cluster|dns|worker_threads)$|^(koa|@koa\/|@kubernetes\/client-node|node-fetch|undici|pino|prom-client|@datadog\/|@influxdata\/)/;

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
const testSupport = join(root, 'test-support') + sep;
const isTestFile = (unitDir, file) => /\.test(-util)?\.ts$/.test(file) || relative(unitDir, file).split(sep)[0] === 'test';
const inside = (dir, file) => file.startsWith(dir + sep);

/** The published entry points of each workspace package: `@custom-metrics/x` and `@custom-metrics/x/<sub>` per `exports`. */
const entryPoints = new Set();
for (const pkg of readdirSync(pkgsDir)) {
  const manifestFile = join(pkgsDir, pkg, 'package.json');
  if (!existsSync(manifestFile)) continue;
  const m = JSON.parse(readFileSync(manifestFile, 'utf8'));
  for (const key of Object.keys(m.exports ?? { '.': m.main })) entryPoints.add(key === '.' ? m.name : `${m.name}/${key.replace(/^\.\//, '')}`);
}

/** Checks the imports of one file of a package or example (`unit`). */
function checkFile(unit, file) {
  const text = readFileSync(file, 'utf8');
  const rel = relative(root, file);
  const test = isTestFile(unit.dir, file);
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (inside(unit.dir, target)) continue;
      if (test && target.startsWith(testSupport)) continue;
      problems.push(`${rel}: imports ${spec}, outside ${relative(root, unit.dir)}${test ? ' (tests may also import test-support/; a test spanning packages belongs in the root test/ folder)' : ''}`);
      continue;
    }
    if (!spec.startsWith('@custom-metrics/')) {
      if (unit.name === 'core' && !test && IO_MODULES.test(spec) && !rel.includes('core/src/testing/')) problems.push(`${rel}: core must not import I/O module ${spec}`);
      continue;
    }
    if (unit.kind === 'example') {
      if (!entryPoints.has(spec)) problems.push(`${rel}: an example imports published entry points only (package.json exports), not ${spec}`);
      continue;
    }
    if (spec.startsWith('@custom-metrics/server') && unit.name !== 'server') problems.push(`${rel}: nothing imports the server (${spec})`);
    if (unit.name === 'core') {
      if (!test) problems.push(`${rel}: core must not import ${spec}`);
      else if (!spec.startsWith('@custom-metrics/core')) problems.push(`${rel}: core's tests import core only, not ${spec}`);
    } else if (unit.name.startsWith('backend-')) {
      if (!spec.startsWith('@custom-metrics/core') && !spec.startsWith(`@custom-metrics/${unit.name}`)) problems.push(`${rel}: a backend${test ? "'s tests import" : ' imports'} core only (and itself), not ${spec}`);
    } else if (unit.name === 'server' && !test && spec.startsWith('@custom-metrics/server')) problems.push(`${rel}: the server imports itself by relative path (${spec})`);
  }
}

for (const pkg of readdirSync(pkgsDir)) {
  const dir = join(pkgsDir, pkg);
  const src = join(dir, 'src');
  if (!existsSync(src)) continue;
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
  const wsDeps = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@custom-metrics/')).map((d) => d.slice('@custom-metrics/'.length)).sort();
  const refs = (tsconfig.references ?? []).map((r) => r.path.replace('../', '')).sort();
  if (JSON.stringify(wsDeps) !== JSON.stringify(refs)) problems.push(`${pkg}: tsconfig references ${JSON.stringify(refs)} do not mirror package.json workspace deps ${JSON.stringify(wsDeps)}`);
  const unit = { kind: 'package', name: pkg, dir };
  for (const file of [...walk(src), ...walk(join(dir, 'test'))]) checkFile(unit, file);
  const res = await madge(src, { fileExtensions: ['ts'], tsConfig: join(dir, 'tsconfig.json'), excludeRegExp: [/\.test\.ts$/], detectiveOptions: { ts: { skipTypeImports: true } } });
  for (const cycle of res.circular()) problems.push(`${pkg}: import cycle ${cycle.join(' -> ')}`);
}

const examplesDir = join(root, 'examples');
for (const ex of existsSync(examplesDir) ? readdirSync(examplesDir) : []) {
  const dir = join(examplesDir, ex);
  if (!statSync(dir).isDirectory()) continue;
  const unit = { kind: 'example', name: ex, dir };
  for (const file of [...walk(join(dir, 'src')), ...walk(join(dir, 'test'))]) checkFile(unit, file);
}

if (problems.length) {
  console.error(`dependency check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('dependency check: OK (direction of sources, tests and examples, tsconfig references, no cycles)');
