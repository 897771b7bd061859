import { TemplateError } from '../errors.js';

// Lexer and parser of the `<<`/`>>` Go-template subset (see template.ts for what is supported).

/** An argument of a command: a field chain, a literal, or a parenthesized pipeline. */
export type Arg =
  | { kind: 'field'; root: 'dot' | 'root' | 'var'; name?: string; path: string[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'pipe'; pipe: Pipeline };

/** One command of a pipeline: a value, or a function (`join`, `index`) with arguments. */
export interface Command {
  fn?: 'join' | 'index';
  args: Arg[];
}

/** A pipeline: optional variable declarations and commands joined by `|`. */
export interface Pipeline {
  decl: string[];
  commands: Command[];
}

/** A parsed template node. */
export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if'; pipe: Pipeline; then: Node[]; else: Node[] }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; else: Node[] };

const OPEN = '<<';
const CLOSE = '>>';
const FUNCTIONS = new Set(['join', 'index']);
const REJECTED_KEYWORDS = new Set(['with', 'define', 'template', 'block', 'break', 'continue']);

interface RawAction {
  text: string;
  pos: number;
}

type Token = { t: 'text'; text: string } | { t: 'action'; action: RawAction };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let pendingTrimLeft = false;
  while (i < src.length) {
    const open = src.indexOf(OPEN, i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (pendingTrimLeft) text = text.replace(/^\s+/, '');
    pendingTrimLeft = false;
    if (open < 0) {
      if (text) out.push({ t: 'text', text });
      break;
    }
    let start = open + OPEN.length;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) out.push({ t: 'text', text });
    const close = findClose(src, start);
    if (close < 0) throw new TemplateError(`unclosed action at offset ${open}`);
    let inner = src.slice(start, close);
    if (/\s-$/.test(inner)) {
      inner = inner.slice(0, -1);
      pendingTrimLeft = true;
    }
    out.push({ t: 'action', action: { text: inner.trim(), pos: open } });
    i = close + CLOSE.length;
  }
  return out;
}

/** Finds the `>>` closing an action, skipping string literals. */
function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) return -1;
      i = end + 1;
    } else if (src.startsWith(CLOSE, i)) {
      return i;
    } else i++;
  }
  return -1;
}

type Word = { w: 'ident' | 'field' | 'var' | 'string' | 'number' | 'pipe' | 'lparen' | 'rparen' | 'assign' | 'comma'; v: string };

function lexAction(text: string, pos: number): Word[] {
  const words: Word[] = [];
  let i = 0;
  const fail = (what: string) => new TemplateError(`${what} in action "<<${text}>>" at offset ${pos}`);
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '|') {
      words.push({ w: 'pipe', v: c });
      i++;
    } else if (c === '(') {
      words.push({ w: 'lparen', v: c });
      i++;
    } else if (c === ')') {
      words.push({ w: 'rparen', v: c });
      i++;
    } else if (c === ',') {
      words.push({ w: 'comma', v: c });
      i++;
    } else if (text.startsWith(':=', i)) {
      words.push({ w: 'assign', v: ':=' });
      i += 2;
    } else if (c === '=') {
      throw fail('unsupported construct "=" (variable assignment)');
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw fail('unterminated string');
      words.push({ w: 'string', v: unquoteGo(text.slice(i, j + 1), fail) });
      i = j + 1;
    } else if (c === '`') {
      const j = text.indexOf('`', i + 1);
      if (j < 0) throw fail('unterminated raw string');
      words.push({ w: 'string', v: text.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      throw fail('unsupported construct "comment"');
    } else {
      const m = /^(\.[A-Za-z0-9_.]*|\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|-?[0-9]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
      if (!m) throw fail(`unexpected character ${JSON.stringify(c)}`);
      const v = m[1];
      if (v.startsWith('.')) words.push({ w: 'field', v });
      else if (v.startsWith('$')) words.push({ w: 'var', v });
      else if (/^-?[0-9]/.test(v)) words.push({ w: 'number', v });
      else words.push({ w: 'ident', v });
      i += v.length;
    }
  }
  return words;
}

function unquoteGo(lit: string, fail: (w: string) => Error): string {
  let out = '';
  for (let i = 1; i < lit.length - 1; i++) {
    const c = lit[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = lit[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (n in simple) out += simple[n];
    else if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = lit.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw fail('bad escape in string');
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else throw fail(`unsupported escape \\${n} in string`);
  }
  return out;
}

class ActionParser {
  #i = 0;
  constructor(
    private readonly words: Word[],
    private readonly text: string,
    private readonly pos: number,
  ) {}

  fail(what: string): TemplateError {
    return new TemplateError(`${what} in action "<<${this.text}>>" at offset ${this.pos}`);
  }

  done(): boolean {
    return this.#i >= this.words.length;
  }

  pipeline(allowDecl: boolean, stopAtParen = false): Pipeline {
    const decl: string[] = [];
    if (allowDecl) {
      const save = this.#i;
      const vars: string[] = [];
      while (this.words[this.#i]?.w === 'var') {
        vars.push(this.words[this.#i].v);
        this.#i++;
        if (this.words[this.#i]?.w === 'comma') this.#i++;
        else break;
      }
      if (vars.length > 0 && this.words[this.#i]?.w === 'assign') {
        this.#i++;
        if (vars.length > 2) throw this.fail('too many variables declared');
        decl.push(...vars);
      } else this.#i = save;
    }
    const commands: Command[] = [];
    for (;;) {
      commands.push(this.command(stopAtParen));
      const next = this.words[this.#i];
      if (next?.w === 'pipe') {
        this.#i++;
        continue;
      }
      break;
    }
    return { decl, commands };
  }

  command(stopAtParen: boolean): Command {
    const args: Arg[] = [];
    let fn: Command['fn'];
    const first = this.words[this.#i];
    if (first === undefined) throw this.fail('missing value');
    if (first.w === 'ident') {
      if (!FUNCTIONS.has(first.v)) {
        if (REJECTED_KEYWORDS.has(first.v)) throw this.fail(`unsupported construct "${first.v}"`);
        throw this.fail(`unsupported function "${first.v}" (supported: join, index)`);
      }
      fn = first.v as Command['fn'];
      this.#i++;
    }
    for (;;) {
      const w = this.words[this.#i];
      if (w === undefined || w.w === 'pipe') break;
      if (w.w === 'rparen') {
        if (stopAtParen) break;
        throw this.fail('unexpected ")"');
      }
      this.#i++;
      switch (w.w) {
        case 'field':
          args.push({ kind: 'field', root: 'dot', path: w.v === '.' ? [] : w.v.slice(1).split('.') });
          break;
        case 'var': {
          const [head, ...rest] = w.v.split('.');
          args.push(head === '$' ? { kind: 'field', root: 'root', path: rest } : { kind: 'field', root: 'var', name: head, path: rest });
          break;
        }
        case 'string':
          args.push({ kind: 'string', value: w.v });
          break;
        case 'number':
          args.push({ kind: 'number', value: Number(w.v) });
          break;
        case 'lparen': {
          const pipe = this.pipeline(false, true);
          if (this.words[this.#i]?.w !== 'rparen') throw this.fail('missing ")"');
          this.#i++;
          args.push({ kind: 'pipe', pipe });
          break;
        }
        case 'ident':
          if (FUNCTIONS.has(w.v)) throw this.fail(`function "${w.v}" must start a command (use parentheses)`);
          if (w.v === 'true' || w.v === 'false' || w.v === 'nil') throw this.fail(`unsupported construct "${w.v}"`);
          throw this.fail(`unsupported function "${w.v}" (supported: join, index)`);
        default:
          throw this.fail(`unexpected ${JSON.stringify(w.v)}`);
      }
    }
    if (fn === undefined && args.length !== 1) throw this.fail(args.length === 0 ? 'empty command' : 'only functions take arguments');
    return fn === undefined ? { args } : { fn, args };
  }
}

function parseAction(action: RawAction, allowDecl: boolean): Pipeline {
  const words = lexAction(action.text, action.pos);
  const p = new ActionParser(words, action.text, action.pos);
  const pipe = p.pipeline(allowDecl);
  if (!p.done()) throw p.fail('unexpected trailing words');
  return pipe;
}

function parseNodes(tokens: Token[]): Node[] {
  let i = 0;
  const parseList = (stops: Set<string>): { nodes: Node[]; stop?: string; stopAction?: RawAction } => {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const tok = tokens[i++];
      if (tok.t === 'text') {
        nodes.push({ kind: 'text', text: tok.text });
        continue;
      }
      const { text, pos } = tok.action;
      const kw = /^([A-Za-z_]+)\b/.exec(text)?.[1] ?? '';
      const rest = { text: text.slice(kw.length).trim(), pos };
      if (text === '') throw new TemplateError(`missing value for command at offset ${pos}`);
      if (text.startsWith('/*')) throw new TemplateError(`unsupported construct "comment" at offset ${pos}`);
      if (kw === 'end' || kw === 'else') {
        if (!stops.has(kw)) throw new TemplateError(`unexpected "${kw}" at offset ${pos}`);
        return { nodes, stop: kw, stopAction: rest };
      }
      if (kw === 'if') {
        nodes.push(parseIf(rest));
      } else if (kw === 'range') {
        const pipe = parseAction(rest, true);
        const body = parseList(new Set(['end', 'else']));
        let elseNodes: Node[] = [];
        if (body.stop === 'else') {
          if (body.stopAction?.text) throw new TemplateError(`"else ${body.stopAction.text}" is not allowed in range at offset ${pos}`);
          const e = parseList(new Set(['end']));
          if (e.stop !== 'end') throw new TemplateError(`unterminated range at offset ${pos}`);
          elseNodes = e.nodes;
        } else if (body.stop !== 'end') throw new TemplateError(`unterminated range at offset ${pos}`);
        nodes.push({ kind: 'range', pipe, body: body.nodes, else: elseNodes });
      } else if (REJECTED_KEYWORDS.has(kw)) {
        throw new TemplateError(`unsupported construct "${kw}" at offset ${pos} (supported: field access, range, if/else, join, index, pipelines)`);
      } else {
        const pipe = parseAction(tok.action, true);
        if (pipe.decl.length > 0) throw new TemplateError(`unsupported construct "variable declaration" at offset ${pos}`);
        nodes.push({ kind: 'action', pipe });
      }
    }
    return { nodes };
  };
  const parseIf = (cond: RawAction): Node => {
    const pipe = parseAction(cond, false);
    const then = parseList(new Set(['end', 'else']));
    let elseNodes: Node[] = [];
    if (then.stop === 'else') {
      const after = then.stopAction as RawAction;
      if (after.text.startsWith('if ') || after.text === 'if') {
        elseNodes = [parseIf({ text: after.text.slice(2).trim(), pos: after.pos })];
        return { kind: 'if', pipe, then: then.nodes, else: elseNodes };
      }
      if (after.text) throw new TemplateError(`unsupported construct "else ${after.text}" at offset ${after.pos}`);
      const e = parseList(new Set(['end']));
      if (e.stop !== 'end') throw new TemplateError(`unterminated if at offset ${cond.pos}`);
      elseNodes = e.nodes;
    } else if (then.stop !== 'end') throw new TemplateError(`unterminated if at offset ${cond.pos}`);
    return { kind: 'if', pipe, then: then.nodes, else: elseNodes };
  };
  const top = parseList(new Set());
  return top.nodes;
}

/**
 * parseTemplate parses `<<`/`>>` template source into nodes, rejecting constructs outside the
 * supported subset. Used by {@link compileTemplate}.
 * @throws {TemplateError}
 */
export function parseTemplate(source: string): Node[] {
  return parseNodes(tokenize(source));
}
