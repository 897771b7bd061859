import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMetricsError, parseSelector } from '@custom-metrics/core';
import { escapeRegex, labelMatcher, quotePromString, requirementToMatcher } from './promql.js';

/** Reads one PromQL double-quoted string literal at the start of `text`: [value, rest]. */
function readPromString(text: string): [string, string] {
  if (text[0] !== '"') throw new Error(`no string at ${text}`);
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return [out, text.slice(i + 1)];
    if (c === '\n') throw new Error('raw newline in string');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = text[++i];
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };
    if (n in simple) out += simple[n];
    else if (n === 'x') {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n === 'u') {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
      i += 4;
    } else throw new Error(`bad escape \\${n}`);
  }
  throw new Error('unterminated string');
}

/** Splits `label<op>"value"` into its parts, requiring the whole text to be one matcher. */
function parseMatcher(m: string): { label: string; op: string; value: string } {
  const head = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)/.exec(m);
  if (!head) throw new Error(`not a matcher: ${m}`);
  const [value, rest] = readPromString(m.slice(head[0].length));
  if (rest !== '') throw new Error(`trailing text after matcher: ${JSON.stringify(rest)}`);
  return { label: head[1], op: head[2], value };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const hostile = ['a"}) or vector(1) #', 'x\\', 'x\\"', '\n}', '"', '.*', 'a|b', '^$', '(?i)x', '\u0000\u007f', '\u2028', '😀'];

describe('PromQL escaping', () => {
  it('round-trips every value through a string literal that cannot be closed early', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }).filter((s) => !LONE_SURROGATE.test(s)), (v) => {
        const m = parseMatcher(labelMatcher('pod', '=', v));
        expect(m).toEqual({ label: 'pod', op: '=', value: v });
      }),
      { numRuns: 500 },
    );
    for (const v of hostile) expect(parseMatcher(labelMatcher('pod', '!=', v)).value).toBe(v);
  });

  it('escapes regex metacharacters so an in-list matches exactly its values', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', '.', '|', '*', '(', ')', '\\', '"', '^', '$', '[', '?') }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.string({ maxLength: 6, unit: fc.constantFrom('a', '.', '|', '*', '(', ')', '\\', '"', '^', '$', '[', '?') }),
        (values, probe) => {
          const m = parseMatcher(requirementToMatcher({ key: 'k', operator: 'in', values }));
          expect(m.op).toBe('=~');
          const re = new RegExp(m.value);
          for (const v of values) expect(re.test(v)).toBe(true);
          expect(re.test(probe)).toBe(values.includes(probe));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('maps selector operators to matchers', () => {
    const sel = parseSelector('a=x,b==y,c!=z,d in (p,q.r),e notin (s),f,!g');
    expect(sel.requirements.map(requirementToMatcher)).toEqual([
      'a="x"',
      'b="y"',
      'c!="z"',
      'd=~"^(p|q\\\\.r)$"',
      'e!~"^(s)$"',
      'f!=""',
      'g=""',
    ]);
  });

  it('rejects gt/lt and label keys that are not Prometheus label names with 400', () => {
    for (const text of ['a>1', 'a<2', 'app.kubernetes.io/name=x']) {
      const [r] = parseSelector(text).requirements;
      try {
        requirementToMatcher(r);
        expect.unreachable();
      } catch (e) {
        expect(isMetricsError(e) && e.code).toBe(400);
      }
    }
  });

  it('rejects a lone surrogate with 400 instead of sending it', () => {
    try {
      labelMatcher('pod', '=', 'a\uD800');
      expect.unreachable();
    } catch (e) {
      expect(isMetricsError(e) && e.code).toBe(400);
    }
  });

  it('quotes like Go %q for ordinary values and escapes as QuoteMeta', () => {
    expect(quotePromString('default')).toBe('"default"');
    expect(escapeRegex('api.v1+(x)')).toBe('api\\.v1\\+\\(x\\)');
  });
});
