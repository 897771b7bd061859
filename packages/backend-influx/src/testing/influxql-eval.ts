// A small InfluxQL evaluator for FakeInfluxClient.serve: enough of the language for the queries
// this backend builds from rule templates — `SELECT … FROM "m" WHERE <expr> GROUP BY *|"tag",…` with
// tag comparisons (`=`, `!=` on '…' strings, `=~`, `!~` on /…/ regexes), `true`/`false`, AND, OR,
// parentheses, and a `time > now() - <duration>` bound (ignored: stored points are current).
// Anything else throws, naming the query: the fake never answers a query it did not understand.
import type { InfluxRow } from '../client/types.js';

/** One stored point. */
export interface FakeInfluxPoint {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly value: number;
  /** Epoch milliseconds. */
  readonly time: number;
}

type Tok = { k: 'ident' | 'str' | 'regex' | 'word' | 'punct'; v: string };

const ESC: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n' };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const quoted = (end: string): string => {
    let v = '';
    i++;
    while (q[i] !== end) {
      if (i >= q.length) throw new Error('unterminated literal');
      if (q[i] === '\\' && end !== '/') {
        const e = ESC[q[i + 1]];
        if (e === undefined) throw new Error(`bad escape \\${q[i + 1]}`);
        v += e;
        i += 2;
      } else if (q[i] === '\\') {
        v += q[i] + q[i + 1];
        i += 2;
      } else v += q[i++];
    }
    i++;
    return v;
  };
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) i++;
    else if (c === '"') out.push({ k: 'ident', v: quoted('"') });
    else if (c === "'") out.push({ k: 'str', v: quoted("'") });
    else if (c === '/' && out.length > 0 && (out[out.length - 1].v === '=~' || out[out.length - 1].v === '!~')) out.push({ k: 'regex', v: quoted('/') });
    else if (/[A-Za-z0-9_.]/.test(c)) {
      const m = /^[A-Za-z0-9_.]+/.exec(q.slice(i))![0];
      out.push({ k: 'word', v: m });
      i += m.length;
    } else {
      const two = q.slice(i, i + 2);
      const p = ['=~', '!~', '!=', '<=', '>=', '<>'].includes(two) ? two : c;
      out.push({ k: 'punct', v: p });
      i += p.length;
    }
  }
  return out;
}

type Pred = (tags: Readonly<Record<string, string>>) => boolean;

/** A parsed query: what it reads and how it groups. */
interface Plan {
  measurement: string;
  where: Pred;
  /** `'*'`, the group-by tags, or none. */
  groupBy: '*' | string[];
}

function plan(q: string): Plan {
  const t = tokenize(q);
  let i = 0;
  const word = (w: string) => t[i]?.k === 'word' && t[i].v.toUpperCase() === w;
  const fail = (why: string): never => {
    throw new Error(`FakeInfluxClient cannot evaluate ${JSON.stringify(q)}: ${why} (token ${i}: ${JSON.stringify(t[i]?.v ?? 'end')})`);
  };
  if (!word('SELECT')) fail('expected SELECT');
  while (i < t.length && !word('FROM')) i++;
  if (!word('FROM')) fail('expected FROM');
  i++;
  const m = t[i++];
  if (!m || (m.k !== 'ident' && m.k !== 'word')) fail('expected a measurement');

  const primary = (): Pred => {
    const tok = t[i];
    if (!tok) return fail('unexpected end');
    if (tok.v === '(') {
      i++;
      const e = or();
      if (t[i]?.v !== ')') fail('expected ")"');
      i++;
      return e;
    }
    if (tok.k === 'word' && tok.v.toLowerCase() === 'true') return i++, () => true;
    if (tok.k === 'word' && tok.v.toLowerCase() === 'false') return i++, () => false;
    if (tok.k === 'word' && tok.v.toLowerCase() === 'time') {
      // time > now() - <duration>: a bound the stored (current) points always satisfy.
      i++;
      if (!['>', '>='].includes(t[i]?.v)) fail('expected > after time');
      i++;
      if (!(t[i]?.v.toLowerCase() === 'now' && t[i + 1]?.v === '(' && t[i + 2]?.v === ')')) fail('expected now()');
      i += 3;
      if (t[i]?.v === '-') i += 2;
      return () => true;
    }
    if (tok.k !== 'ident' && tok.k !== 'word') return fail('expected a tag key');
    const key = tok.v;
    i++;
    const op = t[i++]?.v;
    const rhs = t[i++];
    if (!rhs) return fail('unexpected end');
    const get = (tags: Readonly<Record<string, string>>) => tags[key] ?? '';
    if ((op === '=' || op === '!=') && rhs.k === 'str') return op === '=' ? (tags) => get(tags) === rhs.v : (tags) => get(tags) !== rhs.v;
    if ((op === '=~' || op === '!~') && rhs.k === 'regex') {
      const re = new RegExp(rhs.v.replace(/\\x\{([0-9a-fA-F]+)\}/g, '\\u{$1}'), 'u');
      return op === '=~' ? (tags) => re.test(get(tags)) : (tags) => !re.test(get(tags));
    }
    return fail(`unsupported comparison ${op}`);
  };
  const and = (): Pred => {
    const parts = [primary()];
    while (word('AND')) {
      i++;
      parts.push(primary());
    }
    return (tags) => parts.every((p) => p(tags));
  };
  const or = (): Pred => {
    const parts = [and()];
    while (word('OR')) {
      i++;
      parts.push(and());
    }
    return (tags) => parts.some((p) => p(tags));
  };

  let where: Pred = () => true;
  if (word('WHERE')) {
    i++;
    where = or();
  }
  let groupBy: Plan['groupBy'] = [];
  if (word('GROUP')) {
    i++;
    if (!word('BY')) fail('expected BY');
    i++;
    if (t[i]?.v === '*') {
      groupBy = '*';
      i++;
    } else {
      const keys: string[] = [];
      for (;;) {
        const k = t[i++];
        if (!k || (k.k !== 'ident' && k.k !== 'word')) fail('expected a tag key');
        keys.push(k!.v);
        if (t[i]?.v !== ',') break;
        i++;
      }
      groupBy = keys;
    }
  }
  if (i !== t.length) fail('trailing text');
  return { measurement: m!.v, where, groupBy };
}

/**
 * evaluateInfluxQL answers `query` over `points` as `last()` would: one row per group (the
 * group's tags as labels, empty ones left out) with the latest point's time and value.
 * @throws {Error} naming the query when it uses anything outside the subset described above.
 */
export function evaluateInfluxQL(query: string, points: readonly FakeInfluxPoint[]): InfluxRow[] {
  const p = plan(query);
  const groups = new Map<string, InfluxRow>();
  for (const pt of points) {
    if (pt.measurement !== p.measurement || !p.where(pt.tags)) continue;
    const keys = p.groupBy === '*' ? Object.keys(pt.tags).sort() : p.groupBy;
    const labels: Record<string, string> = {};
    for (const k of keys) if (pt.tags[k]) labels[k] = pt.tags[k];
    const key = JSON.stringify(labels);
    const prev = groups.get(key);
    if (!prev || (prev.time ?? 0) <= pt.time) groups.set(key, { labels, time: pt.time, value: pt.value });
  }
  return [...groups.values()];
}
