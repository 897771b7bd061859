#!/usr/bin/env node
// Self-containment check: no tracked file may refer to a path outside the repository.
// A clone anywhere must build, test and run from its own files, so a relative path that climbs
// above the repository root (a sibling `shared` folder, a URL built from import.meta.url) is an
// error, in code, configs and docs alike.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f && !f.endsWith('package-lock.json') && /\.(m?[jt]s|json|ya?ml|md|tpl|sh|txt)$|(^|\/)(Dockerfile|run)$/.test(f));

// A run of `../` segments followed by a path segment: the candidates for an escape.
const relRe = /(?:\.\.\/)+[\w.@-]*/g;
const problems = [];
for (const file of files) {
  let text;
  try { text = readFileSync(join(root, file), 'utf8'); } catch { continue; }
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const m of line.matchAll(relRe)) {
      const target = resolve(dirname(join(root, file)), m[0]);
      if (target !== root && !target.startsWith(root + sep)) {
        problems.push(`${file}:${i + 1}: ${m[0]} points outside the repository (${relative(root, target)})`);
      }
    }
  });
}
if (problems.length) {
  console.error(`path check failed: files refer to paths outside the repository, which a clone elsewhere does not have:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`path check: OK (${files.length} files refer only to paths inside the repository)`);
