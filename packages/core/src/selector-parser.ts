// The label-selector lexer and recursive-descent parser, token for token and message for message
// the same as apimachinery's `labels.Parse` (contract §6). Internal: use `parseSelector`.
import { SelectorParseError } from './selector-error.js';
import { compareStrings, newRequirement, type Requirement, type SelectorOperator } from './selector-requirement.js';
import { fieldInvalid, goQuote, labelKeyErrors } from './selector-validation.js';

const enum Tok {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const STRING_TO_TOKEN: ReadonlyMap<string, Tok> = new Map([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.DoesNotExist],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.GreaterThan],
  ['in', Tok.In],
  ['<', Tok.LessThan],
  ['!=', Tok.NotEquals],
  ['notin', Tok.NotIn],
  ['(', Tok.OpenPar],
]);

interface Item {
  tok: Tok;
  lit: string;
}

// Whitespace and special symbols are ASCII, so scanning UTF-16 code units splits exactly where Go
// splits the UTF-8 bytes. Code unit 0 plays the role of Go's `read()` returning 0: end of input
// (without advancing) or a NUL byte (advancing), both of which end a token.
const isWhitespace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isSpecial = (c: number) =>
  c === 0x3d /* = */ || c === 0x21 /* ! */ || c === 0x28 || c === 0x29 || c === 0x2c || c === 0x3e || c === 0x3c;

function lex(s: string): Item[] {
  let pos = 0;
  const read = (): number => {
    if (pos < s.length) return s.charCodeAt(pos++);
    return 0;
  };
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    let item: Item;
    if (ch === 0) {
      item = { tok: Tok.EndOfString, lit: '' };
    } else if (isSpecial(ch)) {
      pos--;
      let buffer = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === 0) break;
        if (isSpecial(c)) {
          buffer += String.fromCharCode(c);
          const t = STRING_TO_TOKEN.get(buffer);
          if (t !== undefined) last = { tok: t, lit: buffer };
          else if (last) {
            pos--;
            break;
          }
        } else {
          pos--;
          break;
        }
      }
      item = last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buffer}'` };
    } else {
      pos--;
      const start = pos;
      let end = pos;
      for (;;) {
        const c = read();
        if (c === 0) break; // end of input, or a NUL byte (consumed, not part of the literal)
        if (isSpecial(c) || isWhitespace(c)) {
          pos--;
          break;
        }
        end = pos;
      }
      const lit = s.slice(start, end);
      item = { tok: STRING_TO_TOKEN.get(lit) ?? Tok.Identifier, lit };
    }
    items.push(item);
    if (item.tok === Tok.EndOfString) return items;
  }
}

const enum Ctx {
  KeyAndOperator,
  Values,
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  private at(i: number, ctx: Ctx): [Tok, string] {
    const { tok, lit } = this.items[i];
    return [ctx === Ctx.Values && (tok === Tok.In || tok === Tok.NotIn) ? Tok.Identifier : tok, lit];
  }
  private lookahead(ctx: Ctx): [Tok, string] {
    return this.at(this.position, ctx);
  }
  private consume(ctx: Ctx): [Tok, string] {
    this.position++;
    return this.at(this.position - 1, ctx);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const [tok, lit] = this.lookahead(Ctx.Values);
      switch (tok) {
        case Tok.Identifier:
        case Tok.DoesNotExist: {
          reqs.push(this.parseRequirement());
          const [t, l] = this.consume(Ctx.Values);
          if (t === Tok.EndOfString) return reqs;
          if (t === Tok.Comma) {
            const [t2, l2] = this.lookahead(Ctx.Values);
            if (t2 !== Tok.Identifier && t2 !== Tok.DoesNotExist) {
              throw new SelectorParseError(`found '${l2}', expected: identifier after ','`);
            }
            break;
          }
          throw new SelectorParseError(`found '${l}', expected: ',' or 'end of string'`);
        }
        case Tok.EndOfString:
          return reqs;
        default:
          throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const fail = (msg: string): never => {
      throw new SelectorParseError(`unable to parse requirement: ${msg}`);
    };
    const prefix = 'unable to parse requirement: ';
    // parseKeyAndInferOperator
    let operator: SelectorOperator | undefined;
    let [tok, key] = this.consume(Ctx.Values);
    if (tok === Tok.DoesNotExist) {
      operator = '!';
      [tok, key] = this.consume(Ctx.Values);
    }
    if (tok !== Tok.Identifier) fail(`found '${key}', expected: identifier`);
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length) fail(fieldInvalid('<nil>', goQuote(key), keyErrs.join('; ')));
    const [next] = this.lookahead(Ctx.Values);
    if ((next === Tok.EndOfString || next === Tok.Comma) && operator === undefined) operator = 'exists';
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, [], prefix);

    // parseOperator
    const [opTok, opLit] = this.consume(Ctx.KeyAndOperator);
    const op = OPERATOR_OF_TOKEN.get(opTok);
    if (op === undefined) return fail(`found '${opLit}', expected: ${BINARY_OPERATORS}`);

    const values = op === 'in' || op === 'notin' ? this.parseValues(fail) : this.parseExactValue(fail);
    return newRequirement(key, op, [...values].sort(compareStrings), prefix);
  }

  private parseValues(fail: (msg: string) => never): Set<string> {
    const [tok, lit] = this.consume(Ctx.Values);
    if (tok !== Tok.OpenPar) fail(`found '${lit}' expected: '('`);
    const [t, l] = this.lookahead(Ctx.Values);
    switch (t) {
      case Tok.Identifier:
      case Tok.Comma: {
        const s = this.parseIdentifiersList(fail);
        const [close] = this.consume(Ctx.Values);
        if (close !== Tok.ClosedPar) fail(`found '${l}', expected: ')'`);
        return s;
      }
      case Tok.ClosedPar:
        this.consume(Ctx.Values);
        return new Set(['']);
      default:
        return fail(`found '${l}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(fail: (msg: string) => never): Set<string> {
    const s = new Set<string>();
    // Each iteration consumes at least one token and the list ends with EndOfString, so this ends.
    for (;;) {
      const [tok, lit] = this.consume(Ctx.Values);
      if (tok === Tok.Identifier) {
        s.add(lit);
        const [t2, l2] = this.lookahead(Ctx.Values);
        if (t2 === Tok.Comma) continue;
        if (t2 === Tok.ClosedPar) return s;
        fail(`found '${l2}', expected: ',' or ')'`);
      } else if (tok === Tok.Comma) {
        if (s.size === 0) s.add('');
        const [t2] = this.lookahead(Ctx.Values);
        if (t2 === Tok.ClosedPar) {
          s.add('');
          return s;
        }
        if (t2 === Tok.Comma) {
          this.consume(Ctx.Values);
          s.add('');
        }
      } else {
        fail(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(fail: (msg: string) => never): Set<string> {
    const [t] = this.lookahead(Ctx.Values);
    if (t === Tok.EndOfString || t === Tok.Comma) return new Set(['']);
    const [tok, lit] = this.consume(Ctx.Values);
    if (tok === Tok.Identifier) return new Set([lit]);
    return fail(`found '${lit}', expected: identifier`);
  }
}

const OPERATOR_OF_TOKEN: ReadonlyMap<Tok, SelectorOperator> = new Map([
  [Tok.In, 'in'],
  [Tok.Equals, '='],
  [Tok.DoubleEquals, '=='],
  [Tok.GreaterThan, 'gt'],
  [Tok.LessThan, 'lt'],
  [Tok.NotIn, 'notin'],
  [Tok.NotEquals, '!='],
]);

/**
 * Parses `text` into requirements, sorted by key (stable for equal keys), or throws
 * {@link SelectorParseError} with apimachinery's message.
 */
export function parseRequirements(text: string): Requirement[] {
  let reqs: Requirement[];
  try {
    reqs = new Parser(lex(text)).parse();
  } catch (e) {
    if (e instanceof SelectorParseError) throw new SelectorParseError(e.message, text);
    throw e;
  }
  return reqs.sort((a, b) => compareStrings(a.key, b.key));
}
