import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Requirement, SelectorOperator } from '@custom-metrics/core';
import { HOSTILE } from '../../test/support/hostile.js';
import { goRegexToJs, scanFlux, skeleton } from '../../test/support/scanners.js';
import { fluxColumn, fluxExactRegex, fluxSelector, fluxString, fluxTagIn } from './flux.js';

const req = (key: string, operator: SelectorOperator, values: string[] = []): Requirement => ({ key, operator, values });

describe('fluxString', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b', '"a\\"b"'],
    ['back\\slash', '"back\\\\slash"'],
    ['${x}', '"\\${x}"'],
    ['two\nlines\t', '"two\\nlines\\t"'],
  ])('quotes %j as %s', (v, want) => {
    expect(fluxString(v)).toBe(want);
  });

  it.each(HOSTILE)('keeps the hostile value %j inside one literal that decodes to itself', (v) => {
    expect(scanFlux(fluxString(v))).toEqual([{ kind: 'string', value: v }]);
  });

  it('property: any string stays one literal and decodes to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (v) => {
        expect(scanFlux(fluxString(v))).toEqual([{ kind: 'string', value: v }]);
        expect(skeleton(scanFlux(fluxColumn(v)))).toBe('r[<string>]');
      }),
    );
  });
});

describe('fluxExactRegex', () => {
  it('escapes metacharacters and the delimiter', () => {
    expect(fluxExactRegex(['api.v1', 'a/b'])).toBe('/^(?:api\\.v1|a\\/b)$/');
  });

  it('property: the regex matches exactly the given values', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', minLength: 1 }), { minLength: 1, maxLength: 4 }), fc.string({ unit: 'binary' }), (values, other) => {
        const tokens = scanFlux(`r["pod"] =~ ${fluxExactRegex(values)}`);
        expect(skeleton(tokens)).toBe('r[<string>] =~ <regex>');
        const re = goRegexToJs(tokens[3].value);
        for (const v of values) expect(re.test(v)).toBe(true);
        expect(re.test(other)).toBe(values.includes(other));
      }),
    );
  });
});

describe('fluxSelector', () => {
  it.each<[string, Requirement[], string]>([
    ['nothing', [], 'true'],
    ['=', [req('verb', '=', ['GET'])], '(r["verb"] == "GET")'],
    ['!=', [req('verb', '!=', ['GET'])], '((not exists r["verb"] or r["verb"] != "GET"))'],
    ['in', [req('verb', 'in', ['GET', 'POST'])], '((r["verb"] == "GET" or r["verb"] == "POST"))'],
    ['notin', [req('verb', 'notin', ['GET', 'POST'])], '((not exists r["verb"] or r["verb"] != "GET" and r["verb"] != "POST"))'],
    ['exists', [req('tier', 'exists')], '(exists r["tier"])'],
    ['!', [req('tier', '!')], '(not exists r["tier"])'],
    ['several', [req('a', '=', ['1']), req('b', 'exists')], '(r["a"] == "1" and exists r["b"])'],
  ])('%s', (_name, reqs, want) => {
    expect(fluxSelector(reqs)).toBe(want);
  });

  it.each(['gt', 'lt'] as const)('rejects %s with a 400 MetricsError', (op) => {
    expect(() => fluxSelector([req('n', op, ['3'])])).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('an or group of names for object filters', () => {
    expect(fluxTagIn('pod', ['a', 'b"c'])).toBe('(r["pod"] == "a" or r["pod"] == "b\\"c")');
  });

  it('property: hostile values never change the structure of the predicate', () => {
    const ops: SelectorOperator[] = ['=', '!=', 'in', 'notin', 'exists', '!'];
    const value = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.string({ unit: 'binary', minLength: 1 }), fc.array(value, { minLength: 1, maxLength: 3 }), (op, key, values) => {
        const vals = op === 'exists' || op === '!' ? [] : op === '=' || op === '!=' ? values.slice(0, 1) : values;
        const tokens = scanFlux(fluxSelector([req(key, op, vals)]));
        expect(skeleton(tokens)).toBe(skeleton(scanFlux(fluxSelector([req('k', op, vals.map((_, i) => `v${i}`))]))));
        const strings = tokens.filter((t) => t.kind === 'string').map((t) => t.value);
        expect(strings.filter((s) => s !== key)).toEqual(vals.filter((v) => v !== key));
      }),
    );
  });
});
