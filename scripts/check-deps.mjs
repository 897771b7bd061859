#!/usr/bin/env node
// Dependency-direction and cycle check (design §2, style "house rules"):
//  - core imports nothing with I/O and no other workspace package;
//  - a backend imports core only (never the server, never another backend);
//  - nothing imports the server;
//  - tsconfig references mirror package.json workspace dependencies;
//  - no import cycles inside any package (madge).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import madge from 'madge';

const root = new URL('..', import.meta.url).pathname;
const pkgsDir = join(root, 'packages');
const problems = [];

const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|child_process|cluster|dns|worker_threads)$|^(koa|@koa\/|@kubernetes\/client-node|node-fetch|undici|pino|prom-client|@datadog\/|@influxdata\/)/;

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

for (const pkg of readdirSync(pkgsDir)) {
  const src = join(pkgsDir, pkg, 'src');
  let files;
  try { files = walk(src); } catch { continue; }
  const manifest = JSON.parse(readFileSync(join(pkgsDir, pkg, 'package.json'), 'utf8'));
  const tsconfig = JSON.parse(readFileSync(join(pkgsDir, pkg, 'tsconfig.json'), 'utf8'));
  const wsDeps = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@custom-metrics/')).map((d) => d.slice('@custom-metrics/'.length)).sort();
  const refs = (tsconfig.references ?? []).map((r) => r.path.replace('../', '')).sort();
  if (JSON.stringify(wsDeps) !== JSON.stringify(refs)) problems.push(`${pkg}: tsconfig references ${JSON.stringify(refs)} do not mirror package.json workspace deps ${JSON.stringify(wsDeps)}`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    const isTestingKit = rel.includes('core/src/testing/');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith('.')) continue;
      if (pkg === 'core') {
        if (spec.startsWith('@custom-metrics/')) problems.push(`${rel}: core must not import ${spec}`);
        if (IO_MODULES.test(spec) && !isTestingKit) problems.push(`${rel}: core must not import I/O module ${spec}`);
      } else if (pkg.startsWith('backend-')) {
        if (spec.startsWith('@custom-metrics/') && !spec.startsWith('@custom-metrics/core')) problems.push(`${rel}: a backend imports core only, not ${spec}`);
      }
      if (spec.startsWith('@custom-metrics/server')) problems.push(`${rel}: nothing imports the server (${spec})`);
    }
  }
  const res = await madge(src, { fileExtensions: ['ts'], tsConfig: join(pkgsDir, pkg, 'tsconfig.json'), excludeRegExp: [/\.test\.ts$/], detectiveOptions: { ts: { skipTypeImports: true } } });
  for (const cycle of res.circular()) problems.push(`${pkg}: import cycle ${cycle.join(' -> ')}`);
}

if (problems.length) {
  console.error(`dependency check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('dependency check: OK (direction, tsconfig references, no cycles)');
