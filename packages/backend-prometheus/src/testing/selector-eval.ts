// A small evaluator for the PromQL this backend sends when rules use plain selectors, so the fake
// client can answer from stored series instead of canned strings. It understands an instant
// vector selector (`name{l="v",l!="v",l=~"re",l!~"re"}`, name optional) and `sum(<selector>) by (l, …)`;
// anything else is a test bug and throws.

/** A matcher of a vector selector. */
interface Matcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** A parsed query: the selector's matchers and, for `sum … by`, the grouping labels. */
export interface ParsedQuery {
  readonly matchers: readonly Matcher[];
  readonly sumBy?: readonly string[];
}

const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;

/** Parses `name{matchers}` / `{matchers}` / `name` starting at `text` (whole string). */
export function parseVectorSelector(text: string): Matcher[] {
  const s = text.trim();
  let i = 0;
  const matchers: Matcher[] = [];
  const fail = (why: string): never => {
    throw new Error(`FakePrometheusClient cannot evaluate ${JSON.stringify(text)}: ${why} at offset ${i}`);
  };
  const ident = (): string => {
    IDENT.lastIndex = i;
    const m = IDENT.exec(s);
    if (!m) fail('expected a name');
    i = IDENT.lastIndex;
    return m![0];
  };
  const ws = () => {
    while (s[i] === ' ') i++;
  };
  if (s[i] !== '{') matchers.push({ name: '__name__', op: '=', value: ident() });
  if (i === s.length) return matchers;
  if (s[i] !== '{') fail('expected "{"');
  i++;
  ws();
  while (s[i] !== '}') {
    const name = ident();
    ws();
    const op = (['=~', '!~', '!=', '='] as const).find((o) => s.startsWith(o, i)) ?? fail('expected an operator');
    i += op.length;
    ws();
    if (s[i] !== '"') fail('expected a string');
    i++;
    let value = '';
    while (s[i] !== '"') {
      if (i >= s.length) fail('unterminated string');
      if (s[i] === '\\') {
        const c = s[i + 1];
        value += c === 'n' ? '\n' : c;
        i += 2;
      } else value += s[i++];
    }
    i++;
    matchers.push({ name, op, value });
    ws();
    if (s[i] === ',') {
      i++;
      ws();
    } else if (s[i] !== '}') fail('expected "," or "}"');
  }
  if (i !== s.length - 1) fail('trailing text');
  return matchers;
}

const SUM_BY = /^sum\s*\((.*)\)\s*by\s*\(([^()]*)\)$/s;

/** Parses a selector or `sum(selector) by (labels)`. */
export function parseQuery(promql: string): ParsedQuery {
  const m = SUM_BY.exec(promql.trim());
  if (!m) return { matchers: parseVectorSelector(promql) };
  const sumBy = m[2]
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return { matchers: parseVectorSelector(m[1]), sumBy };
}

/** Whether `labels` satisfy every matcher (Prometheus semantics: a missing label is ""; regexes are anchored). */
export function matchesAll(matchers: readonly Matcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`, 's').test(v);
      case '!~':
        return !new RegExp(`^(?:${m.value})$`, 's').test(v);
    }
  });
}
