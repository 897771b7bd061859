// Which `metricsQuery` templates can be answered from one merged query per metric (query.coalesce).
//
// A merged query is the rule's template rendered without the namespace value and the object names
// (`namespace!="",pod!=""` instead of `namespace="ns",pod=~"a|b"`) and grouped by the namespace
// label and the resource label; each request then picks its objects out of the answer. That gives
// the per-request query's values only when every value of an object is computed from that object's
// own series: the template must aggregate `by (<<.GroupBy>>)` and nothing else may look across
// objects. This module decides that, conservatively: a template it cannot prove safe is queried
// per request, as before.

/** Aggregations whose per-group value depends only on the group's series. */
const GROUPING_AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count']);

/** Functions allowed around aggregations: they map each output series on its own. */
const OUTER_FUNCTIONS = new Set(['abs', 'ceil', 'floor', 'round', 'sqrt', 'exp', 'ln', 'log2', 'log10', 'sgn', 'clamp', 'clamp_min', 'clamp_max', 'histogram_quantile']);

/**
 * Identifiers that make a template unsafe inside an aggregation: other aggregations, vector
 * matching modifiers, functions that invent or rename series or labels, and `or` (which adds series
 * the object matchers did not select).
 */
const FORBIDDEN_INSIDE = new Set([
  ...GROUPING_AGGREGATIONS,
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'limitk',
  'limit_ratio',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'or',
  'label_replace',
  'label_join',
  'scalar',
  'vector',
  'absent',
  'absent_over_time',
  'sort',
  'sort_desc',
  'sort_by_label',
  'sort_by_label_desc',
  'info',
]);

/** Keywords that may stand alone inside an aggregation (not selectors). */
const KEYWORDS_INSIDE = new Set(['offset', 'bool', 'and', 'unless', 'atan2', 'Inf', 'NaN', 'inf', 'nan']);

const SERIES = '__cms_series__';
const MATCHERS = '__cms_matchers__';
const GROUP_BY = '__cms_group_by__';

/**
 * The placeholder each allowed template action renders to, or `undefined` for an action that
 * makes the template ineligible (`.LabelValuesByName`, `.GroupBySlice`, `if`, `range`, pipelines…:
 * their output would differ between the per-request and the merged arguments).
 */
function placeholder(action: string): string | undefined {
  const a = action.replace(/^-\s+/, '').replace(/\s+-$/, '').trim();
  if (a === '.Series') return SERIES;
  if (a === '.LabelMatchers') return MATCHERS;
  if (a === '.GroupBy') return GROUP_BY;
  return undefined;
}

interface Token {
  readonly t: 'id' | 'num' | 'str' | 'sel' | 'range' | 'op' | '(' | ')' | ',';
  readonly v: string;
}

/** Splits PromQL into the tokens the check needs; `undefined` for text it cannot read. */
function tokenize(q: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  const closing = (open: string, close: string): number | undefined => {
    let j = i + 1;
    while (j < q.length && q[j] !== close) {
      const c = q[j];
      if (c === '"' || c === "'" || c === '`') {
        const end = endOfString(q, j);
        if (end === undefined) return undefined;
        j = end;
      } else if (c === open) return undefined;
      else j++;
    }
    return j < q.length ? j : undefined;
  };
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < q.length && q[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '`') {
      const end = endOfString(q, i);
      if (end === undefined) return undefined;
      out.push({ t: 'str', v: q.slice(i, end) });
      i = end;
    } else if (c === '{' || c === '[') {
      const end = closing(c, c === '{' ? '}' : ']');
      if (end === undefined) return undefined;
      out.push({ t: c === '{' ? 'sel' : 'range', v: q.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z_:]/.test(c)) {
      const m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(q.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9.][0-9A-Za-z._+-]*/.exec(q.slice(i)) as RegExpExecArray;
      // `1e+3` and `5m` are one token; `2-1` must not be: only a sign right after an exponent `e`.
      const text = m[0].replace(/([^eE])[+-].*$/, '$1');
      out.push({ t: 'num', v: text });
      i += text.length;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c });
      i++;
    } else {
      const m = /^(==|!=|<=|>=|[-+*/%^<>@])/.exec(q.slice(i));
      if (!m) return undefined;
      out.push({ t: 'op', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

function endOfString(q: string, start: number): number | undefined {
  const quote = q[start];
  let j = start + 1;
  while (j < q.length && q[j] !== quote) j += quote !== '`' && q[j] === '\\' ? 2 : 1;
  return j < q.length ? j + 1 : undefined;
}

const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '^']);

/** A recursive-descent check over the tokens of the rendered template. */
class Checker {
  #i = 0;
  #aggregations = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** Whether the whole expression is safe and has at least one aggregation. */
  check(): boolean {
    return this.#expr(false) && this.#i === this.tokens.length && this.#aggregations > 0;
  }

  #peek(): Token | undefined {
    return this.tokens[this.#i];
  }

  /** `operand (arith operand)*`, an optional unary sign first. */
  #expr(inQuantile: boolean): boolean {
    if (this.#peek()?.t === 'op' && (this.#peek()?.v === '-' || this.#peek()?.v === '+')) this.#i++;
    if (!this.#operand(inQuantile)) return false;
    while (this.#peek()?.t === 'op' && ARITHMETIC.has(this.#peek()!.v)) {
      this.#i++;
      if (!this.#operand(inQuantile)) return false;
    }
    return true;
  }

  #operand(inQuantile: boolean): boolean {
    const tok = this.#peek();
    if (tok === undefined) return false;
    if (tok.t === 'num') {
      this.#i++;
      return true;
    }
    if (tok.t === '(') {
      this.#i++;
      if (!this.#expr(inQuantile) || this.#peek()?.t !== ')') return false;
      this.#i++;
      return true;
    }
    if (tok.t !== 'id') return false;
    if (GROUPING_AGGREGATIONS.has(tok.v)) return this.#aggregation(inQuantile);
    if (OUTER_FUNCTIONS.has(tok.v) && this.tokens[this.#i + 1]?.t === '(') {
      this.#i += 2;
      const quantile = tok.v === 'histogram_quantile';
      for (let arg = 0; ; arg++) {
        if (!this.#expr(quantile && arg === 1)) return false;
        const next = this.#peek();
        this.#i++;
        if (next?.t === ')') return true;
        if (next?.t !== ',') return false;
      }
    }
    return false;
  }

  /** `agg [by (G)] (inner) [by (G)]`: exactly one `by` clause naming only `.GroupBy` (and `le` under histogram_quantile). */
  #aggregation(inQuantile: boolean): boolean {
    this.#i++;
    let clauses = 0;
    const byClause = (): boolean => {
      if (this.#peek()?.t !== 'id' || this.#peek()?.v !== 'by') return true;
      clauses++;
      this.#i++;
      if (this.#peek()?.t !== '(') return false;
      this.#i++;
      const labels: string[] = [];
      while (this.#peek()?.t !== ')') {
        const t = this.#peek();
        if (t?.t === 'id') labels.push(t.v);
        else if (t?.t !== ',') return false;
        this.#i++;
      }
      this.#i++;
      const rest = labels.filter((l) => l !== GROUP_BY);
      return labels.includes(GROUP_BY) && (rest.length === 0 || (inQuantile && rest.length === 1 && rest[0] === 'le'));
    };
    if (!byClause()) return false;
    if (this.#peek()?.t !== '(') return false;
    const end = this.#matching(this.#i);
    if (end === undefined || !safeInside(this.tokens.slice(this.#i + 1, end))) return false;
    this.#i = end + 1;
    if (!byClause()) return false;
    this.#aggregations++;
    return clauses === 1;
  }

  #matching(open: number): number | undefined {
    let depth = 0;
    for (let j = open; j < this.tokens.length; j++) {
      if (this.tokens[j].t === '(') depth++;
      else if (this.tokens[j].t === ')' && --depth === 0) return j;
    }
    return undefined;
  }
}

/**
 * The inside of an aggregation: per-series functions and operators over selectors that all carry
 * the object matchers; no aggregation, no vector-matching modifier, no `or`, no selector that
 * would read series of other objects, no grouping placeholder.
 */
function safeInside(tokens: readonly Token[]): boolean {
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.t === 'sel' && !t.v.includes(MATCHERS)) return false;
    if (t.t !== 'id') continue;
    if (t.v === GROUP_BY || t.v === MATCHERS || FORBIDDEN_INSIDE.has(t.v)) return false;
    const next = tokens[j + 1];
    if (next?.t === '(' || next?.t === 'sel') continue; // a function call, or a named selector (checked as `sel`)
    if (!KEYWORDS_INSIDE.has(t.v)) return false; // a bare metric name: a selector without the object matchers
  }
  return tokens.some((t) => t.t === 'sel');
}

/**
 * Whether a `metricsQuery` template may be answered from one merged query per metric: its only
 * actions are `<<.Series>>`, `<<.LabelMatchers>>` and `<<.GroupBy>>`; every selector carries
 * `.LabelMatchers`; every aggregation is a grouping one (`sum`, `avg`, `min`, `max`, `count`,
 * `group`, `stddev`, `stdvar`) `by (<<.GroupBy>>)` alone (plus `le` under `histogram_quantile`),
 * with no aggregation, `on`/`ignoring`/`group_*`, `or`, `label_replace`/`label_join`, `vector`,
 * `scalar`, `absent` or `sort` inside; around aggregations only numbers, arithmetic operators,
 * parentheses and per-series functions (`abs`, `round`, `clamp*`, `histogram_quantile`, …). Pure.
 */
export function isCoalescibleTemplate(source: string): boolean {
  let ok = true;
  const rendered = source.replace(/<<([\s\S]*?)>>/g, (_, action: string) => {
    const p = placeholder(action);
    if (p === undefined) ok = false;
    return p ?? '';
  });
  if (!ok || rendered.includes('<<') || rendered.includes('>>')) return false;
  const tokens = tokenize(rendered);
  return tokens !== undefined && new Checker(tokens).check();
}
