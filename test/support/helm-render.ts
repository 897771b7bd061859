// A renderer for the subset of Helm's template language (Go text/template + the Sprig functions
// Helm adds) that charts/custom-metrics-server uses. Helm itself cannot be installed here (no Debian
// package, and no npm package ships the binary; downloads from elsewhere are blocked), so the
// chart tests render with this and then validate every manifest against the Kubernetes schemas.
// Anything outside the subset throws, so a chart edit that needs more is noticed, not mis-rendered.
// Like `helm template`, it coalesces the user's values over values.yaml (a null deletes a key) and
// validates the result against values.schema.json before rendering.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

type Value = unknown;
interface Scope { dot: Value; vars: Map<string, Value> }

type Node =
  | { t: 'text'; s: string }
  | { t: 'out'; p: Pipeline }
  | { t: 'if'; branches: Array<{ cond?: Pipeline; body: Node[] }> }
  | { t: 'range'; p: Pipeline; keyVar?: string; valVar?: string; body: Node[]; elseBody: Node[] }
  | { t: 'with'; p: Pipeline; body: Node[]; elseBody: Node[] }
  | { t: 'assign'; name: string; p: Pipeline; declare: boolean }
  | { t: 'template'; name: string; p?: Pipeline };
type Operand =
  | { k: 'field'; base: 'dot' | 'root' | string; path: string[] }
  | { k: 'lit'; v: Value }
  | { k: 'fn'; name: string }
  | { k: 'paren'; p: Pipeline };
type Command = Operand[];
type Pipeline = Command[];

const FNS: Record<string, (...a: Value[]) => Value> = {};

function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

function str(v: Value): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`cannot print a ${Array.isArray(v) ? 'list' : 'map'} directly; use toYaml`);
}

function tokenizeAction(src: string): string[] {
  const toks: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      toks.push(src.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '(' || c === ')' || c === '|' || c === ',') { toks.push(c); i++; continue; }
    if (src.startsWith(':=', i)) { toks.push(':='); i += 2; continue; }
    if (c === '=') { toks.push('='); i++; continue; }
    let j = i;
    while (j < src.length && !/[\s()|,]/.test(src[j]!) && !src.startsWith(':=', j) && !(src[j] === '=' && j > i)) j++;
    toks.push(src.slice(i, j));
    i = j;
  }
  return toks;
}

function parsePipeline(toks: string[]): Pipeline {
  let pos = 0;
  const pipeline = (): Pipeline => {
    const cmds: Pipeline = [];
    let cmd: Command = [];
    while (pos < toks.length && toks[pos] !== ')') {
      const tk = toks[pos++]!;
      if (tk === '|') { cmds.push(cmd); cmd = []; continue; }
      if (tk === '(') {
        const inner = pipeline();
        if (toks[pos++] !== ')') throw new Error('unclosed (');
        cmd.push({ k: 'paren', p: inner });
        continue;
      }
      cmd.push(operand(tk));
    }
    cmds.push(cmd);
    return cmds;
  };
  const p = pipeline();
  if (pos !== toks.length) throw new Error(`unexpected ${toks[pos]}`);
  return p;
}

function operand(tk: string): Operand {
  if (tk.startsWith('"')) return { k: 'lit', v: JSON.parse(tk) };
  if (/^-?\d+(\.\d+)?$/.test(tk)) return { k: 'lit', v: Number(tk) };
  if (tk === 'true' || tk === 'false') return { k: 'lit', v: tk === 'true' };
  if (tk === 'nil') return { k: 'lit', v: null };
  if (tk === '.') return { k: 'field', base: 'dot', path: [] };
  if (tk.startsWith('.')) return { k: 'field', base: 'dot', path: tk.slice(1).split('.') };
  if (tk === '$') return { k: 'field', base: 'root', path: [] };
  if (tk.startsWith('$.')) return { k: 'field', base: 'root', path: tk.slice(2).split('.') };
  if (tk.startsWith('$')) {
    const [name, ...path] = tk.split('.');
    return { k: 'field', base: name!, path };
  }
  if (/^[A-Za-z][A-Za-z0-9]*$/.test(tk)) {
    if (!(tk in FNS) && tk !== 'include' && tk !== 'tpl') throw new Error(`function "${tk}" is outside the supported subset`);
    return { k: 'fn', name: tk };
  }
  throw new Error(`cannot parse "${tk}"`);
}

/** Where the action starting at `from` closes: the first `}}` outside a "quoted" or `raw` string. */
function actionEnd(src: string, from: number): number {
  const comment = /^\s*\/\*/.exec(src.slice(from, from + 8));
  if (comment) {
    const end = src.indexOf('*/', from + comment[0].length);
    return end < 0 ? -1 : src.indexOf('}}', end);
  }
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === '\\') i++;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1);
      if (i < 0) return -1;
    } else if (c === '}' && src[i + 1] === '}') return i;
  }
  return -1;
}

function parseTemplate(src: string, defines: Map<string, Node[]>): Node[] {
  // Split into text and actions, applying {{- and -}} trimming.
  const parts: Array<{ text?: string; action?: string }> = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) { parts.push({ text: src.slice(i) }); break; }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) { text = text.replace(/\s+$/, ''); start++; }
    parts.push({ text });
    const close = actionEnd(src, start);
    if (close < 0) throw new Error('unclosed action');
    let end = close;
    let trimAfter = false;
    if (src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '')) { end = close - 1; trimAfter = true; }
    parts.push({ action: src.slice(start, end).trim() });
    i = close + 2;
    if (trimAfter) while (i < src.length && /\s/.test(src[i]!)) i++;
  }
  let pos = 0;
  const block = (terminators: string[]): { nodes: Node[]; term: string } => {
    const nodes: Node[] = [];
    while (pos < parts.length) {
      const part = parts[pos++]!;
      if (part.text !== undefined) { if (part.text) nodes.push({ t: 'text', s: part.text }); continue; }
      const a = part.action!;
      if (a.startsWith('/*')) continue;
      const kw = a.split(/\s+/)[0]!;
      const rest = a.slice(kw.length).trim();
      if (terminators.includes(kw)) { pos--; parts[pos] = { action: a }; pos++; return { nodes, term: a }; }
      if (kw === 'if') {
        const branches: Array<{ cond?: Pipeline; body: Node[] }> = [];
        let cond: Pipeline | undefined = parsePipeline(tokenizeAction(rest));
        for (;;) {
          const r = block(['else', 'end']);
          branches.push({ cond, body: r.nodes });
          if (r.term === 'end') break;
          const elseRest = r.term.slice(4).trim();
          if (elseRest.startsWith('if ')) cond = parsePipeline(tokenizeAction(elseRest.slice(3)));
          else {
            const last = block(['end']);
            branches.push({ body: last.nodes });
            break;
          }
        }
        nodes.push({ t: 'if', branches });
      } else if (kw === 'range' || kw === 'with') {
        let keyVar: string | undefined;
        let valVar: string | undefined;
        let expr = rest;
        const m = /^(\$\w+)(?:\s*,\s*(\$\w+))?\s*:=\s*(.*)$/.exec(rest);
        if (m) {
          if (m[2]) { keyVar = m[1]; valVar = m[2]; } else valVar = m[1];
          expr = m[3]!;
        }
        const p = parsePipeline(tokenizeAction(expr));
        const r = block(['else', 'end']);
        const elseBody = r.term === 'end' ? [] : block(['end']).nodes;
        if (kw === 'range') nodes.push({ t: 'range', p, keyVar, valVar, body: r.nodes, elseBody });
        else nodes.push({ t: 'with', p, body: r.nodes, elseBody });
      } else if (kw === 'define') {
        const name = JSON.parse(rest) as string;
        defines.set(name, block(['end']).nodes);
      } else if (kw === 'template') {
        const m = /^("(?:[^"\\]|\\.)*")\s*(.*)$/.exec(rest);
        if (!m) throw new Error(`bad template action: ${a}`);
        nodes.push({ t: 'template', name: JSON.parse(m[1]!), p: m[2] ? parsePipeline(tokenizeAction(m[2])) : undefined });
      } else if (kw === 'else' || kw === 'end') {
        throw new Error(`unexpected {{${a}}}`);
      } else {
        const m = /^(\$\w+)\s*(:=|=)\s*(.*)$/.exec(a);
        if (m) nodes.push({ t: 'assign', name: m[1]!, declare: m[2] === ':=', p: parsePipeline(tokenizeAction(m[3]!)) });
        else nodes.push({ t: 'out', p: parsePipeline(tokenizeAction(a)) });
      }
    }
    if (terminators.length) throw new Error(`missing {{end}}`);
    return { nodes, term: '' };
  };
  return block([]).nodes;
}

function lookup(v: Value, path: string[], what: string): Value {
  let cur = v;
  for (const key of path) {
    if (cur === undefined || cur === null) return undefined;
    if (typeof cur !== 'object') throw new Error(`cannot read .${key} of a ${typeof cur} in ${what}`);
    cur = (cur as Record<string, Value>)[key];
  }
  return cur;
}

export class HelmRenderer {
  private readonly defines = new Map<string, Node[]>();
  private root: Value = {};

  constructor(private readonly chartDir: string) {}

  /** Renders every template of the chart (files starting with `_` only define helpers). */
  render(values: Record<string, unknown>, release: { name: string; namespace: string }): Map<string, string> {
    const chart = parseYaml(readFileSync(join(this.chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    const defaults = parseYaml(readFileSync(join(this.chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const merged = coalesceValues(structuredClone(values), defaults);
    const schemaFile = join(this.chartDir, 'values.schema.json');
    if (existsSync(schemaFile)) validateValues(String(chart.name), JSON.parse(readFileSync(schemaFile, 'utf8')) as object, merged);
    this.root = {
      Values: merged,
      Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm', IsInstall: true },
      Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
      Capabilities: { APIVersions: [] },
    };
    const dir = join(this.chartDir, 'templates');
    const files = readdirSync(dir).filter((f) => /\.(ya?ml|tpl|txt)$/.test(f)).sort();
    const parsed = new Map<string, Node[]>();
    for (const f of files) parsed.set(f, parseTemplate(readFileSync(join(dir, f), 'utf8'), this.defines));
    const out = new Map<string, string>();
    for (const [f, nodes] of parsed) {
      if (f.startsWith('_') || f.endsWith('.txt')) continue;
      const text = this.exec(nodes, { dot: this.root, vars: new Map([['$', this.root]]) });
      if (text.trim()) out.set(f, text);
    }
    return out;
  }

  private exec(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const n of nodes) {
      switch (n.t) {
        case 'text': out += n.s; break;
        case 'out': out += str(this.pipe(n.p, scope)); break;
        case 'assign': scope.vars.set(n.name, this.pipe(n.p, scope)); break;
        case 'if': {
          const b = n.branches.find((br) => !br.cond || truthy(this.pipe(br.cond, scope)));
          if (b) out += this.exec(b.body, { dot: scope.dot, vars: new Map(scope.vars) });
          break;
        }
        case 'with': {
          const v = this.pipe(n.p, scope);
          out += truthy(v) ? this.exec(n.body, { dot: v, vars: new Map(scope.vars) }) : this.exec(n.elseBody, scope);
          break;
        }
        case 'range': {
          const v = this.pipe(n.p, scope);
          const entries: Array<[Value, Value]> = Array.isArray(v)
            ? v.map((x, i) => [i, x])
            : v && typeof v === 'object'
              ? Object.keys(v).sort().map((k) => [k, (v as Record<string, Value>)[k]])
              : [];
          if (entries.length === 0) { out += this.exec(n.elseBody, scope); break; }
          for (const [k, x] of entries) {
            const vars = new Map(scope.vars);
            if (n.keyVar) vars.set(n.keyVar, k);
            if (n.valVar) vars.set(n.valVar, x);
            out += this.exec(n.body, { dot: x, vars });
          }
          break;
        }
        case 'template': out += this.include(n.name, n.p ? this.pipe(n.p, scope) : undefined); break;
      }
    }
    return out;
  }

  private include(name: string, dot: Value): string {
    const body = this.defines.get(name);
    if (!body) throw new Error(`no template "${name}"`);
    return this.exec(body, { dot, vars: new Map([['$', dot]]) });
  }

  private pipe(p: Pipeline, scope: Scope): Value {
    let prev: Value;
    let first = true;
    for (const cmd of p) {
      prev = this.command(cmd, scope, first ? undefined : [prev]);
      first = false;
    }
    return prev;
  }

  private command(cmd: Command, scope: Scope, piped?: Value[]): Value {
    const [head, ...rest] = cmd;
    if (!head) throw new Error('empty command');
    if (head.k === 'fn') {
      const args = [...rest.map((o) => this.operand(o, scope)), ...(piped ?? [])];
      if (head.name === 'include') return this.include(str(args[0]), args[1]);
      if (head.name === 'tpl') {
        const defines = new Map<string, Node[]>();
        for (const [k, v] of this.defines) defines.set(k, v);
        return this.exec(parseTemplate(str(args[0]), defines), { dot: args[1], vars: new Map([['$', args[1]]]) });
      }
      return FNS[head.name]!(...args);
    }
    if (rest.length || piped) throw new Error('only functions take arguments');
    return this.operand(head, scope);
  }

  private operand(o: Operand, scope: Scope): Value {
    switch (o.k) {
      case 'lit': return o.v;
      case 'paren': return this.pipe(o.p, scope);
      case 'fn': return FNS[o.name]!();
      case 'field': {
        const base = o.base === 'dot' ? scope.dot : o.base === 'root' ? scope.vars.get('$') : scope.vars.get(o.base);
        if (o.base !== 'dot' && o.base !== 'root' && !scope.vars.has(o.base)) throw new Error(`undefined variable ${o.base}`);
        return lookup(base, o.path, o.path.join('.'));
      }
    }
  }
}

const isTable = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Helm's coalescing (pkg/chartutil/coalesce.go): the user's values win; a map merges key by key
 * into the chart's map; a list or scalar replaces whatever the chart had; a null deletes the key
 * (at the top level only a key values.yaml has), so `--set podSecurityContext.runAsUser=null`
 * removes a default. Mutates and returns `user`.
 */
function coalesceValues(user: Record<string, unknown>, defaults: Record<string, unknown>, top = true): Record<string, unknown> {
  for (const [k, d] of Object.entries(defaults)) {
    if (!(k in user)) user[k] = structuredClone(d);
    else if (user[k] === null) delete user[k];
    else if (isTable(user[k]) && isTable(d)) coalesceValues(user[k] as Record<string, unknown>, d, false);
  }
  if (!top) for (const [k, v] of Object.entries(user)) if (v === null) delete user[k];
  return user;
}

/** Helm validates the coalesced values against values.schema.json and lists every violation. */
function validateValues(chartName: string, schema: object, values: unknown): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  if (validate(values)) return;
  const problems = (validate.errors ?? []).map((e) => {
    const at = e.instancePath || '(root)';
    if (e.keyword === 'additionalProperties') return `- at '${at}': additional property '${String(e.params.additionalProperty)}' not allowed`;
    return `- at '${at}': ${e.message ?? e.keyword}`;
  });
  throw new Error(`values don't meet the specifications of the schema(s) in the following chart(s):\n${chartName}:\n${[...new Set(problems)].join('\n')}`);
}

/** Sprig's kindIs/kindOf: Go reflect kinds; numbers from YAML values files are float64. */
function kindOf(v: Value): string {
  if (v === undefined || v === null) return 'invalid';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}

// Sprig's indent pads every line, empty ones included.
const indentLines = (n: number, s: string) => ' '.repeat(n) + s.split('\n').join('\n' + ' '.repeat(n));

Object.assign(FNS, {
  // Helm's toYaml (sigs.k8s.io/yaml) sorts map keys and does not indent a sequence under its key.
  toYaml: (v: Value) => (v === undefined || v === null ? '' : stringifyYaml(v, { lineWidth: 0, indentSeq: false, sortMapEntries: true }).replace(/\n$/, '')),
  indent: (n: Value, s: Value) => indentLines(Number(n), str(s)),
  nindent: (n: Value, s: Value) => '\n' + indentLines(Number(n), str(s)),
  quote: (...a: Value[]) => a.map((x) => JSON.stringify(str(x))).join(' '),
  squote: (...a: Value[]) => a.map((x) => `'${str(x)}'`).join(' '),
  default: (d: Value, v?: Value) => (truthy(v) ? v : d),
  required: (msg: Value, v?: Value) => {
    if (!truthy(v)) throw new Error(str(msg));
    return v;
  },
  empty: (v: Value) => !truthy(v),
  eq: (a: Value, ...b: Value[]) => b.some((x) => x === a),
  ne: (a: Value, b: Value) => a !== b,
  and: (...a: Value[]) => a.reduce((x, y) => (truthy(x) ? y : x)),
  or: (...a: Value[]) => a.find(truthy) ?? a[a.length - 1],
  not: (a: Value) => !truthy(a),
  printf: (fmt: Value, ...a: Value[]) => {
    let i = 0;
    return str(fmt).replace(/%[sdv]/g, () => str(a[i++]));
  },
  trunc: (n: Value, s: Value) => str(s).slice(0, Number(n)),
  trimSuffix: (suf: Value, s: Value) => (str(s).endsWith(str(suf)) ? str(s).slice(0, -str(suf).length) : str(s)),
  replace: (a: Value, b: Value, s: Value) => str(s).split(str(a)).join(str(b)),
  lower: (s: Value) => str(s).toLowerCase(),
  toString: (s: Value) => str(s),
  int: (s: Value) => Math.trunc(Number(s)),
  // Sprig's add converts its arguments to int64; text/template's comparisons of numbers.
  add: (...a: Value[]) => a.reduce<number>((sum, x) => sum + Math.trunc(Number(x)), 0),
  lt: (a: Value, b: Value) => Number(a) < Number(b),
  le: (a: Value, b: Value) => Number(a) <= Number(b),
  gt: (a: Value, b: Value) => Number(a) > Number(b),
  ge: (a: Value, b: Value) => Number(a) >= Number(b),
  // Helm's fail stops the rendering with the message.
  fail: (msg: Value) => {
    throw new Error(str(msg));
  },
  hasKey: (m: Value, k: Value) => !!m && typeof m === 'object' && str(k) in (m as object),
  list: (...a: Value[]) => a,
  b64enc: (s: Value) => Buffer.from(str(s)).toString('base64'),
  sha256sum: (s: Value) => createHash('sha256').update(str(s)).digest('hex'),
  kindIs: (kind: Value, v: Value) => kindOf(v) === str(kind),
  kindOf: (v: Value) => kindOf(v),
  trim: (s: Value) => str(s).trim(),
});
