import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Requirement, SelectorOperator } from '@custom-metrics/core';
import { HOSTILE } from '../../test/support/hostile.js';
import { goRegexToJs, scanInfluxQL, skeleton } from '../../test/support/scanners.js';
import { influxqlExactRegex, influxqlIdent, influxqlSelector, influxqlString, influxqlTagIn, regexLiteralBody } from './influxql.js';

const req = (key: string, operator: SelectorOperator, values: string[] = []): Requirement => ({ key, operator, values });


describe('influxqlString / influxqlIdent', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['a"b', "'a\"b'"],
    ['two\nlines', "'two\\nlines'"],
  ])('quotes %j as %s', (v, want) => {
    expect(influxqlString(v)).toBe(want);
  });

  it.each([
    ['pod', '"pod"'],
    ['app.kubernetes.io/name', '"app.kubernetes.io/name"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
  ])('quotes identifier %j as %s', (v, want) => {
    expect(influxqlIdent(v)).toBe(want);
  });

  it.each(HOSTILE)('keeps the hostile value %j inside one literal that decodes to itself', (v) => {
    expect(scanInfluxQL(influxqlString(v))).toEqual([{ kind: 'string', value: v }]);
    expect(scanInfluxQL(influxqlIdent(v))).toEqual([{ kind: 'ident', value: v }]);
  });

  it('property: any string stays one literal and decodes to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (v) => {
        expect(scanInfluxQL(influxqlString(v))).toEqual([{ kind: 'string', value: v }]);
        expect(scanInfluxQL(influxqlIdent(v))).toEqual([{ kind: 'ident', value: v }]);
      }),
    );
  });
});

describe('influxqlExactRegex', () => {
  it('escapes metacharacters and the delimiter', () => {
    expect(influxqlExactRegex(['api.v1', 'a/b'])).toBe('/^(?:api\\.v1|a\\/b)$/');
    expect(regexLiteralBody('a+b(c)')).toBe('a\\+b\\(c\\)');
  });

  it('property: the regex matches exactly the given values', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', minLength: 1 }), { minLength: 1, maxLength: 4 }), fc.string({ unit: 'binary' }), (values, other) => {
        const tokens = scanInfluxQL(`"pod" =~ ${influxqlExactRegex(values)}`);
        expect(skeleton(tokens)).toBe('<ident> =~ <regex>');
        const re = goRegexToJs(tokens[2].value);
        for (const v of values) expect(re.test(v)).toBe(true);
        expect(re.test(other)).toBe(values.includes(other));
      }),
    );
  });
});

describe('influxqlSelector', () => {
  it.each<[string, Requirement[], string]>([
    ['nothing', [], 'true'],
    ['=', [req('verb', '=', ['GET'])], `("verb" = 'GET')`],
    ['==', [req('verb', '==', ['GET'])], `("verb" = 'GET')`],
    ['!=', [req('verb', '!=', ['GET'])], `("verb" != 'GET')`],
    ['in', [req('verb', 'in', ['GET', 'POST'])], `(("verb" = 'GET' OR "verb" = 'POST'))`],
    ['notin', [req('verb', 'notin', ['GET', 'POST'])], `(("verb" != 'GET' AND "verb" != 'POST'))`],
    ['exists', [req('tier', 'exists')], `("tier" != '')`],
    ['!', [req('tier', '!')], `("tier" = '')`],
    ['several', [req('a', '=', ['1']), req('b', '!')], `("a" = '1' AND "b" = '')`],
    ['prefixed key', [req('app.kubernetes.io/name', '=', ['web'])], `("app.kubernetes.io/name" = 'web')`],
  ])('%s', (_name, reqs, want) => {
    expect(influxqlSelector(reqs)).toBe(want);
  });

  it.each(['gt', 'lt'] as const)('rejects %s with a 400 MetricsError', (op) => {
    expect(() => influxqlSelector([req('n', op, ['3'])])).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('an OR group of names for object filters', () => {
    expect(influxqlTagIn('pod', ['a'])).toBe(`"pod" = 'a'`);
    expect(influxqlTagIn('pod', ['a', "b'c"])).toBe(`("pod" = 'a' OR "pod" = 'b\\'c')`);
  });

  it('property: hostile values never change the structure of the WHERE clause', () => {
    const ops: SelectorOperator[] = ['=', '!=', 'in', 'notin', 'exists', '!'];
    const value = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.string({ unit: 'binary', minLength: 1 }), fc.array(value, { minLength: 1, maxLength: 3 }), (op, key, values) => {
        const vals = op === 'exists' || op === '!' ? [] : op === '=' || op === '!=' ? values.slice(0, 1) : values;
        const hostile = influxqlSelector([req(key, op, vals)]);
        const benign = influxqlSelector([req('k', op, vals.map((_, i) => `v${i}`))]);
        const tokens = scanInfluxQL(hostile);
        expect(skeleton(tokens)).toBe(skeleton(scanInfluxQL(benign)));
        expect(tokens.filter((t) => t.kind === 'string').map((t) => t.value)).toEqual(op === 'exists' || op === '!' ? [''] : vals);
        expect(tokens.filter((t) => t.kind === 'ident').every((t) => t.value === key)).toBe(true);
      }),
    );
  });
});
