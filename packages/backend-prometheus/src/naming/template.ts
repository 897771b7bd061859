import { TemplateError } from '../errors.js';
import { parseTemplate, type Arg, type Node, type Pipeline } from './template-parser.js';

/**
 * A subset of Go's text/template with prometheus-adapter's `<<` / `>>` delimiters.
 *
 * Supported: text; `<< pipeline >>` output; trim markers `<<-` / `->>`; field chains (`.Series`,
 * `.A.B`, `.`, `$`, `$var`); string (`"…"`, `` `…` ``) and integer literals; the functions
 * `join` (`join .GroupBySlice ","` or sprig order `join "," .GroupBySlice`) and `index`
 * (`index .LabelValuesByName "pod"`); pipelines (`.GroupBySlice | join ","`); `if` / `else if` /
 * `else` / `end`; `range` (optionally `range $v := …` or `range $i, $v := …`) with `else`.
 * A JS `Map` in the data behaves as a Go map (`.M.key` on a missing key prints `<no value>`,
 * `index` gives `""`); a plain object behaves as a struct (an unknown field is an error).
 * Anything else (`with`, `define`, `template`, `block`, other functions, comments…) is rejected at
 * compile time with a {@link TemplateError} naming the construct.
 */
export interface CompiledTemplate {
  /** The template source. */
  readonly source: string;
  /** Renders the template against `data` (a plain object); throws {@link TemplateError}. */
  execute(data: unknown): string;
}

interface Scope {
  dot: unknown;
  root: unknown;
  vars: Map<string, unknown>;
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Prints a value as Go's fmt `%v` would for the types templates see. */
function printValue(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (v instanceof Map) return printValue(Object.fromEntries(v));
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, x]) => `${k}:${printValue(x)}`).join(' ')}]`;
  }
  return String(v);
}

function lookupField(base: unknown, path: string[], what: string): unknown {
  let cur = base;
  for (const name of path) {
    if (cur instanceof Map) {
      // A Go map: a missing key is the invalid value, printed `<no value>` (as text/template does).
      cur = cur.get(name);
      continue;
    }
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) {
      throw new TemplateError(`can't evaluate field ${name} in ${what}`);
    }
    if (!Object.prototype.hasOwnProperty.call(cur, name)) throw new TemplateError(`can't evaluate field ${name}: no such field`);
    cur = (cur as Record<string, unknown>)[name];
  }
  return cur;
}

function evalArg(a: Arg, scope: Scope): unknown {
  switch (a.kind) {
    case 'string':
      return a.value;
    case 'number':
      return a.value;
    case 'pipe':
      return evalPipeline(a.pipe, scope);
    case 'field': {
      if (a.root === 'dot') return lookupField(scope.dot, a.path, 'dot');
      if (a.root === 'root') return lookupField(scope.root, a.path, '$');
      if (!scope.vars.has(a.name as string)) throw new TemplateError(`undefined variable "${a.name}"`);
      return lookupField(scope.vars.get(a.name as string), a.path, a.name as string);
    }
  }
}

function callJoin(args: unknown[]): string {
  if (args.length !== 2) throw new TemplateError(`wrong number of args for join: want 2 got ${args.length}`);
  const [a, b] = args;
  const [list, sep] = Array.isArray(a) ? [a, b] : [b, a];
  if (!Array.isArray(list) || typeof sep !== 'string') throw new TemplateError('join needs a list and a string separator');
  return list.map(printValue).join(sep);
}

function callIndex(args: unknown[]): unknown {
  if (args.length < 1) throw new TemplateError('wrong number of args for index');
  let cur = args[0];
  for (const key of args.slice(1)) {
    if (Array.isArray(cur)) {
      if (typeof key !== 'number' || !Number.isInteger(key)) throw new TemplateError('cannot index slice with non-integer');
      if (key < 0 || key >= cur.length) throw new TemplateError(`index out of range: ${key}`);
      cur = cur[key];
    } else if (cur instanceof Map) {
      if (typeof key !== 'string') throw new TemplateError('cannot index map with non-string key');
      cur = cur.has(key) ? cur.get(key) : '';
    } else if (cur !== null && typeof cur === 'object') {
      if (typeof key !== 'string') throw new TemplateError('cannot index map with non-string key');
      cur = Object.prototype.hasOwnProperty.call(cur, key) ? (cur as Record<string, unknown>)[key] : '';
    } else throw new TemplateError(`can't index item of type ${typeof cur}`);
  }
  return cur;
}

function evalPipeline(pipe: Pipeline, scope: Scope): unknown {
  let prev: unknown;
  let hasPrev = false;
  for (const cmd of pipe.commands) {
    const args = cmd.args.map((a) => evalArg(a, scope));
    if (hasPrev) args.push(prev);
    if (cmd.fn === 'join') prev = callJoin(args);
    else if (cmd.fn === 'index') prev = callIndex(args);
    else {
      if (args.length !== 1) throw new TemplateError('a value can take no piped argument');
      prev = args[0];
    }
    hasPrev = true;
  }
  return prev;
}

function execNodes(nodes: Node[], scope: Scope, out: string[]): void {
  for (const n of nodes) {
    switch (n.kind) {
      case 'text':
        out.push(n.text);
        break;
      case 'action':
        out.push(printValue(evalPipeline(n.pipe, scope)));
        break;
      case 'if':
        execNodes(truthy(evalPipeline(n.pipe, scope)) ? n.then : n.else, scope, out);
        break;
      case 'range': {
        const v = evalPipeline(n.pipe, scope);
        let entries: Array<[unknown, unknown]>;
        if (Array.isArray(v)) entries = v.map((x, i) => [i, x]);
        else if (v instanceof Map) entries = [...v.keys()].sort().map((k) => [k, v.get(k)]);
        else if (v !== null && typeof v === 'object') entries = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
        else if (v === undefined || v === null) entries = [];
        else throw new TemplateError(`range can't iterate over ${printValue(v)}`);
        if (entries.length === 0) {
          execNodes(n.else, scope, out);
          break;
        }
        for (const [k, x] of entries) {
          const vars = new Map(scope.vars);
          if (n.pipe.decl.length === 1) vars.set(n.pipe.decl[0], x);
          else if (n.pipe.decl.length === 2) {
            vars.set(n.pipe.decl[0], k);
            vars.set(n.pipe.decl[1], x);
          }
          execNodes(n.body, { dot: x, root: scope.root, vars }, out);
        }
        break;
      }
    }
  }
}

/**
 * compileTemplate parses a `<<`/`>>` template once; {@link CompiledTemplate.execute} renders it.
 * @throws {TemplateError} naming the unsupported construct or the syntax error and its offset.
 */
export function compileTemplate(source: string): CompiledTemplate {
  const nodes = parseTemplate(source);
  return {
    source,
    execute(data: unknown): string {
      const out: string[] = [];
      execNodes(nodes, { dot: data, root: data, vars: new Map([['$', data]]) }, out);
      return out.join('');
    },
  };
}
