#!/usr/bin/env node
// Starts a new backend from packages/backend-template:
//   npm run new-backend -- NAME [--dest DIR] [--no-register]
// copies the template to DIR/backend-NAME (default DIR: packages/), renaming the package
// (@custom-metrics/backend-NAME), the plugin (`NAME`) and the identifiers (TemplateClient ->
// NAMEClient, createTemplateBackend -> createNAMEBackend, …), and — unless --no-register or a
// --dest outside packages/ — adds it to the root package.json workspaces and tsconfig.json
// references. Then: npm install, npx tsc -b, npx vitest run packages/backend-NAME.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const template = join(root, 'packages', 'backend-template');

function usage(problem) {
  console.error(`new-backend: ${problem}\nusage: npm run new-backend -- NAME [--dest DIR] [--no-register]\n  NAME: lower-case letters only (e.g. graphite); the package becomes @custom-metrics/backend-NAME`);
  process.exit(2);
}

const args = process.argv.slice(2);
let name;
let dest = join(root, 'packages');
let register = true;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dest') dest = resolve(args[++i] ?? usage('--dest needs a directory'));
  else if (args[i] === '--no-register') register = false;
  else if (args[i].startsWith('-')) usage(`unknown option ${args[i]}`);
  else if (name === undefined) name = args[i];
  else usage(`unexpected argument ${args[i]}`);
}
if (name === undefined) usage('give the backend name');
if (!/^[a-z]+$/.test(name) || name === 'template') usage(`${JSON.stringify(name)} is not a usable name (lower-case letters only, not "template")`);
const pascal = name[0].toUpperCase() + name.slice(1);
const target = join(dest, `backend-${name}`);
if (existsSync(target)) usage(`${relative(root, target) || target} already exists`);
if (resolve(dest) !== join(root, 'packages')) register = false;

const toRoot = (p) => relative(target, join(root, p)) || '.';
// The template's own path to the base tsconfig (two levels up), rewritten for the new location.
const templateBase = ['..', '..', 'tsconfig.base.json'].join('/');
const rename = (text) =>
  text
    .replaceAll(templateBase, toRoot('tsconfig.base.json'))
    .replaceAll('"path": "../core"', `"path": "${toRoot('packages/core')}"`)
    .replaceAll('backend-template', `backend-${name}`)
    .replaceAll('Template', pascal)
    .replaceAll('template', name);

function copy(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const src = join(from, entry);
    const dst = join(to, rename(entry));
    if (statSync(src).isDirectory()) copy(src, dst);
    else writeFileSync(dst, rename(readFileSync(src, 'utf8')));
  }
}
copy(template, target);

if (register) {
  const pkgPath = join(root, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const ws = `packages/backend-${name}`;
  if (!pkg.workspaces.includes(ws)) pkg.workspaces.splice(pkg.workspaces.indexOf('packages/server'), 0, ws);
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  const tsPath = join(root, 'tsconfig.json');
  const ts = JSON.parse(readFileSync(tsPath, 'utf8'));
  if (!ts.references.some((r) => r.path === ws)) ts.references.splice(ts.references.findIndex((r) => r.path === 'packages/server'), 0, { path: ws });
  writeFileSync(tsPath, `${JSON.stringify(ts, null, 2)}\n`);
}

console.log(`created ${relative(root, target) || target} (@custom-metrics/backend-${name}, plugin "${name}")`);
if (register) console.log(`registered in package.json workspaces and tsconfig.json references; next: npm install && npx tsc -b && npx vitest run packages/backend-${name}`);
