#!/usr/bin/env node
// The performance goals of issue 13 (P1–P4) as last measured: each goal, its figure, its baseline,
// the ratio and whether it is met, read from the sections the benchmarks write in
// docs/benchmarks.md (so a partial `npm run bench -- <name>` updates only its goal). Printed by
// bench/run.mjs at the end of every run; `node bench/support/summary.mjs [page.md]` prints it on
// its own (for docs/benchmarks.md by default).
// A figure that cannot be found says which benchmark to run.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'benchmarks.md');

/** The text between `<!-- name:start -->` and `<!-- name:end -->`, or undefined. */
function section(markdown, name) {
  const m = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(markdown);
  return m?.[1];
}

/** The markdown tables of `text`: {header: string[], rows: string[][]}, cells trimmed. */
function tables(text) {
  const out = [];
  let cur;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      cur = undefined;
      continue;
    }
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cur === undefined) out.push((cur = { header: cells, rows: [] }));
    else if (!cells.every((c) => /^:?-+:?$/.test(c))) cur.rows.push(cells);
  }
  return out;
}

const plain = (cell) => cell.replace(/\*\*/g, '').replace(/[✓✗]/g, '').trim();
const num = (cell) => Number(plain(cell).replace(/[^0-9.+-]/g, ''));
const range = (cells, unit = '') => {
  const xs = cells.map(num).filter(Number.isFinite);
  if (xs.length === 0) return '?';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const f = (x) => x.toLocaleString('en', { maximumFractionDigits: 2 });
  return lo === hi ? `${f(lo)}${unit}` : `${f(lo)}–${f(hi)}${unit}`;
};
const stamp = (text) => /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})Z/.exec(text)?.[1] ?? '?';
/** met / not met from the ✓ and ✗ marks of the given cells. */
const marks = (cells) => (cells.some((c) => c.includes('✗')) ? 'not met' : cells.length > 0 && cells.every((c) => c.includes('✓')) ? 'met' : '?');

function findTable(text, ...patterns) {
  return tables(text ?? '').find((t) => patterns.every((p) => t.header.some((h) => p.test(h))));
}
const col = (t, re) => t.header.findIndex((h) => re.test(h));

const GOALS = [
  {
    goal: 'P1 server overhead',
    target: 'full ≥ 60 % of the minimal mTLS route; added p99 @1k req/s < 2 ms',
    bench: 'overhead',
    read(md) {
      const text = section(md, 'overhead');
      const t = findTable(text, /full \/ baseline/, /added p99/);
      if (!t) return undefined;
      const ratio = t.rows.map((r) => r[col(t, /full \/ baseline/)]);
      const added = t.rows.map((r) => r[col(t, /added p99/)]);
      const base = t.rows.map((r) => r[col(t, /baseline req\/s/)] ?? '');
      const full = t.rows.map((r) => r[col(t, /full req\/s/)] ?? '');
      return {
        figure: `full ${range(full, ' req/s')}; added p99 ${range(added, ' ms')} (${t.rows.length} cases)`,
        baseline: `minimal route ${range(base, ' req/s')}`,
        ratio: `full / baseline ${range(ratio, ' %')}`,
        status: marks([...ratio, ...added]),
        measured: stamp(text),
      };
    },
  },
  {
    goal: 'P2 discovery relist',
    target: '1M series over 2,000 names in < 3 s, < 100 MB RSS growth',
    bench: 'prometheus',
    read(md) {
      const all = section(md, 'prometheus') ?? '';
      const at = all.indexOf('<!-- prometheus:part discovery -->');
      if (at < 0) return undefined;
      const text = all.slice(at).split(/<!-- prometheus:part (?!discovery)/)[0];
      const t = findTable(text, /^relist$/, /time median/);
      const goal = /goal \(issue 13 P2\)[^\n]*\*\*(met|not met)\*\*/.exec(text);
      if (!t || !goal) return undefined;
      const row = (name) => t.rows.find((r) => plain(r[0]) === name);
      const [now, base, ratio] = [row('now'), row('baseline'), row('now / baseline')];
      if (!now || !base || !ratio) return undefined;
      const tm = col(t, /time median/);
      const rm = col(t, /RSS growth median/);
      const rw = col(t, /RSS growth worst/);
      const cm = col(t, /CPU median/);
      const cpu = (r) => (cm >= 0 ? ` (CPU ${plain(r[cm])})` : '');
      return {
        figure: `median ${plain(now[tm])}${cpu(now)}, RSS +${plain(now[rw])} (worst)`,
        baseline: `median ${plain(base[tm])}${cpu(base)}, RSS +${plain(base[rw])} (worst)`,
        ratio: `time ${plain(ratio[tm])}${cm >= 0 ? `, CPU ${plain(ratio[cm])}` : ''}, RSS ${plain(ratio[rm])} (medians)`,
        status: goal[1],
        measured: stamp(text),
      };
    },
  },
  {
    goal: 'P3 coalescing',
    target: '≤ 10 backend queries per window, 1,000 HPAs × 10 metrics',
    bench: 'coalescing',
    read(md) {
      const text = section(md, 'coalescing');
      const t = findTable(text, /queries.*now/, /queries.*baseline/);
      if (!t) return undefined;
      // Per poll, and (since merged queries) the busiest cache-TTL window, which the goal is about.
      const cells = (re) => (col(t, re) >= 0 ? t.rows.map((r) => r[col(t, re)]) : undefined);
      const pollNow = cells(/queries.*now/);
      const pollBase = cells(/queries.*baseline/);
      const winNow = cells(/(5 s|window).*now/);
      const winBase = cells(/(5 s|window).*baseline/);
      const list = (cs) => cs.map((c) => plain(c).replace(/\s*\(.*\)$/, '')).join(' / ');
      const ri = col(t, /^ratio/);
      return {
        figure: `${winNow ? `${list(winNow)} in the busiest window, ` : ''}${list(pollNow)} per poll (${t.rows.length} workloads)`,
        baseline: `${winBase ? `${list(winBase)} in the busiest window, ` : ''}${list(pollBase)} per poll`,
        ratio: ri >= 0 ? `${t.rows.map((r) => plain(r[ri])).join(' / ')} (per poll)` : '?',
        status: marks(winNow ?? pollNow),
        measured: stamp(text),
      };
    },
  },
  {
    goal: 'P4 big selectors',
    target: 'every Prometheus request < 8 kB for 5,000 43-character pod names',
    bench: 'request-size',
    read(md) {
      const text = section(md, 'request-size');
      const t = findTable(text, /request.*now/, /request.*baseline/);
      if (!t) return undefined;
      const now = t.rows.map((r) => r[col(t, /request.*now/)]);
      const base = t.rows.map((r) => r[col(t, /request.*baseline/)]);
      const ri = col(t, /^ratio/);
      const label = (r) => plain(r[0]);
      return {
        figure: t.rows.map((r, i) => `${label(r)} ${plain(now[i])} B`).join(', '),
        baseline: t.rows.map((r, i) => `${label(r)} ${plain(base[i])} B`).join(', '),
        ratio: ri >= 0 ? t.rows.map((r) => plain(r[ri])).join(' / ') : '?',
        status: marks(now),
        measured: stamp(text),
      };
    },
  },
];

/** The summary lines for the page `markdown` (docs/benchmarks.md). */
export function summaryLines(markdown) {
  const lines = ['Performance goals (issue 13), as last measured (docs/benchmarks.md):', ''];
  for (const g of GOALS) {
    let r;
    try {
      r = g.read(markdown);
    } catch {
      r = undefined;
    }
    lines.push(`${g.goal} — target: ${g.target}`);
    if (r === undefined) lines.push(`  no figure found in docs/benchmarks.md: run \`npm run bench -- ${g.bench}\``);
    else {
      lines.push(`  now: ${r.figure}`);
      lines.push(`  baseline: ${r.baseline}`);
      lines.push(`  ratio: ${r.ratio}`);
      lines.push(`  status: ${r.status.toUpperCase()} (measured ${r.measured}Z, \`npm run bench -- ${g.bench}\`)`);
    }
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const l of summaryLines(readFileSync(process.argv[2] ?? DOCS, 'utf8'))) console.log(l);
}
