#!/usr/bin/env node
// Summarises V8 CPU profiles (`node --cpu-prof`): self time by function and by file, top N.
// Usage: node bench/support/profile-summary.mjs <file.cpuprofile>... [--top N] [--busy]
//   --busy  only the seconds in which the process was less than half idle (the load phases, not
//           start-up or the pauses between them)
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const topIdx = args.indexOf('--top');
const top = topIdx >= 0 ? Number(args.splice(topIdx, 2)[1]) : 30;
const busyIdx = args.indexOf('--busy');
const busyOnly = busyIdx >= 0;
if (busyOnly) args.splice(busyIdx, 1);
const byFn = new Map();
const byFile = new Map();
let total = 0;
for (const file of args) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // Per-second idle share, to keep only the busy seconds with --busy.
  const second = [];
  const idle = new Map();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    const s = Math.floor((t - p.startTime) / 1e6);
    second.push(s);
    const dt = p.timeDeltas[i + 1] ?? 0;
    const b = idle.get(s) ?? { idle: 0, all: 0 };
    b.all += dt;
    if (nodes.get(p.samples[i]).callFrame.functionName === '(idle)') b.idle += dt;
    idle.set(s, b);
  }
  // Start-up (module loading) is busy too: with --busy, only seconds after the first idle one count.
  const firstIdle = Math.min(...[...idle].filter(([, b]) => b.idle > b.all / 2).map(([s]) => s));
  for (let i = 0; i < p.samples.length; i++) {
    const b = idle.get(second[i]);
    if (busyOnly && (b.idle > b.all / 2 || second[i] < firstIdle)) continue;
    const dt = p.timeDeltas[i + 1] ?? 0;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
  }
  for (const [id, us] of self) {
    const { callFrame: f } = nodes.get(id);
    const url = f.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm/').replace(/.*\/packages\//, 'pk/');
    const fn = `${f.functionName || '(anonymous)'} ${url ? `${url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const area = url === '' ? f.functionName : url.startsWith('nm/') ? url.split('/').slice(0, url.split('/')[1].startsWith('@') ? 3 : 2).join('/') : url.startsWith('node:') ? url : url.split('/').slice(0, 4).join('/');
    byFile.set(area, (byFile.get(area) ?? 0) + us);
    total += us;
  }
}
const print = (title, m) => {
  console.log(`\n${title} (total ${(total / 1e6).toFixed(2)} s)`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
};
print('self time by area', byFile);
print('self time by function', byFn);
