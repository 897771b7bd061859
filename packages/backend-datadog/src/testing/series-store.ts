/**
 * Evaluates Datadog metric queries over stored series for the API double: the metric name, the
 * tag filter (`*`; terms joined by `,` or ` AND `; `k:v`, `k:*`, `!term`, `(a OR b)` groups) and
 * `by {keys}` grouping with the `avg` of the grouped series. Functions after the scope
 * (`.rollup()`, `.as_rate()`) are accepted and ignored.
 */
import type { DoubleSeries } from './datadog-double.js';

/** One stored series. */
export interface StoredSeries {
  metric: string;
  tags: string[];
  points: Array<[number, number | null]>;
}

const QUERY = /^(avg|sum|min|max):([A-Za-z][A-Za-z0-9_.]*)\{([^{}]*)\}(?: by \{([^{}]*)\})?/;

function atom(text: string): (tags: readonly string[]) => boolean {
  const neg = text.startsWith('!');
  const body = neg ? text.slice(1) : text;
  const i = body.indexOf(':');
  const key = i < 0 ? body : body.slice(0, i);
  const value = i < 0 ? undefined : body.slice(i + 1);
  const test = (tags: readonly string[]) =>
    value === '*' ? tags.some((t) => t.startsWith(`${key}:`)) : value === undefined ? tags.includes(key) : tags.includes(`${key}:${value}`);
  return neg ? (tags) => !test(tags) : test;
}

/** filterOf compiles a scope expression into a predicate on a series' tags. */
export function filterOf(scope: string): (tags: readonly string[]) => boolean {
  if (scope.trim() === '*') return () => true;
  const parts = scope.includes(' AND ') ? scope.split(' AND ') : scope.split(',');
  const preds = parts.map((p) => {
    const t = p.trim();
    if (t.startsWith('(') && t.endsWith(')')) {
      const alts = t.slice(1, -1).split(' OR ').map((a) => atom(a.trim()));
      return (tags: readonly string[]) => alts.some((a) => a(tags));
    }
    return atom(t);
  });
  return (tags) => preds.every((p) => p(tags));
}

/** storeResolver answers queries from `store` (a resolver for the double). */
export function storeResolver(store: readonly StoredSeries[]): (query: string) => DoubleSeries[] {
  return (query) => {
    const m = QUERY.exec(query);
    if (!m) return [];
    const [, , metric, scope, by] = m;
    const keep = filterOf(scope);
    const keys = by ? by.split(',').map((k) => k.trim()) : [];
    const groups = new Map<string, { tags: string[]; members: StoredSeries[] }>();
    for (const s of store) {
      if (s.metric !== metric || !keep(s.tags)) continue;
      const gtags: string[] = [];
      let complete = true;
      for (const k of keys) {
        const t = s.tags.find((x) => x.startsWith(`${k}:`));
        if (!t) complete = false;
        else gtags.push(t);
      }
      if (!complete) continue;
      const id = gtags.join('\u0000');
      const g = groups.get(id) ?? { tags: gtags, members: [] };
      g.members.push(s);
      groups.set(id, g);
    }
    return [...groups.values()].map((g) => {
      const times = [...new Set(g.members.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
      const points = times.map((t): [number, number | null] => {
        const vals = g.members.map((s) => s.points.find(([pt]) => pt === t)?.[1]).filter((v): v is number => typeof v === 'number');
        return [t, vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null];
      });
      return { tags: g.tags, points };
    });
  };
}
