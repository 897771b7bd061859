import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMetricsError } from '@custom-metrics/core';
import type { Requirement, SelectorOperator } from '@custom-metrics/core';
import { joinTerms, requirementToTerms, tagTerm } from './tags.js';

const req = (key: string, operator: SelectorOperator, values: string[] = []): Requirement => ({ key, operator, values }) as Requirement;

function rejects400(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isMetricsError(thrown)).toBe(true);
  expect((thrown as { code: number }).code).toBe(400);
}

describe('requirementToTerms', () => {
  const table: Array<[string, Requirement, string[]]> = [
    ['= becomes key:value', req('app', '=', ['web']), ['app:web']],
    ['== becomes key:value', req('app', '==', ['web']), ['app:web']],
    ['!= becomes !key:value', req('env', '!=', ['dev']), ['!env:dev']],
    ['in with one value is a plain term', req('env', 'in', ['prod']), ['env:prod']],
    ['in becomes an OR group, sorted and deduplicated', req('env', 'in', ['prod', 'canary', 'prod']), ['(env:canary OR env:prod)']],
    ['notin becomes one negated term per value', req('env', 'notin', ['b', 'a']), ['!env:a', '!env:b']],
    ['exists becomes key:*', req('team', 'exists'), ['team:*']],
    ['! becomes !key:*', req('team', '!'), ['!team:*']],
    ['dotted and slashed keys are allowed', req('app.kubernetes.io/name', '=', ['api']), ['app.kubernetes.io/name:api']],
    ['values may contain colons, slashes, dots, minuses', req('url', '=', ['a:b/c.d-e_f']), ['url:a:b/c.d-e_f']],
    ['unicode letters are allowed', req('région', '=', ['été']), ['région:été']],
  ];
  it.each(table)('%s', (_name, r, want) => {
    expect(requirementToTerms(r)).toEqual(want);
  });

  const bad: Array<[string, Requirement]> = [
    ['a comma in a value', req('app', '=', ['a,b'])],
    ['a brace in a value', req('app', '=', ['a}'])],
    ['a space in a value', req('app', '=', ['a OR b'])],
    ['a wildcard value', req('app', '=', ['*'])],
    ['a negation in a value', req('app', '=', ['!x'])],
    ['a parenthesis in an in-value', req('app', 'in', ['x', 'y)'])],
    ['an empty value', req('app', '=', [''])],
    ['a value starting with a minus', req('app', '=', ['-x'])],
    ['a quote', req('app', '=', ['"x"'])],
    ['a key starting with a digit', req('1app', '=', ['x'])],
    ['a key with a colon', req('a:b', '=', ['x'])],
    ['a boolean keyword as key', req('OR', '=', ['x'])],
    ['gt', req('n', 'gt', ['1'])],
    ['lt', req('n', 'lt', ['1'])],
  ];
  it.each(bad)('rejects %s with 400', (_name, r) => {
    rejects400(() => requirementToTerms(r));
  });

  it('rejects tags longer than 200 characters', () => {
    rejects400(() => tagTerm('k', 'v'.repeat(199)));
    expect(tagTerm('k', 'v'.repeat(198))).toHaveLength(200);
  });
});

describe('joinTerms', () => {
  it.each([
    [[], '*'],
    [['a:b'], 'a:b'],
    [['a:b', '!c:d'], 'a:b,!c:d'],
    [['a:b', '(c:d OR c:e)'], 'a:b AND (c:d OR c:e)'],
  ])('%j → %s', (terms, want) => {
    expect(joinTerms(terms)).toBe(want);
  });
});

// Structural characters that would end a term, open/close a scope or group, negate or widen.
const STRUCTURAL = /[\s,{}()!*"'`\\<>|&=]/u;

describe('hostile label values (property)', () => {
  const anyString = fc.string({ unit: 'binary', maxLength: 40 });
  const ops: SelectorOperator[] = ['=', '==', '!='];

  it('a single value is either rejected with 400 or rendered as exactly one key:value term', () => {
    fc.assert(
      fc.property(anyString, fc.constantFrom(...ops), (value, op) => {
        let terms: string[];
        try {
          terms = requirementToTerms(req('app', op, [value]));
        } catch (e) {
          return isMetricsError(e) && (e as { code: number }).code === 400;
        }
        const want = op === '!=' ? `!app:${value}` : `app:${value}`;
        return terms.length === 1 && terms[0] === want && !STRUCTURAL.test(value) && value.length > 0;
      }),
      { numRuns: 2000 },
    );
  });

  it('an in-list renders as an OR group with one term per distinct value, or is rejected', () => {
    fc.assert(
      fc.property(fc.array(anyString, { minLength: 1, maxLength: 5 }), (values) => {
        let terms: string[];
        try {
          terms = requirementToTerms(req('env', 'in', values));
        } catch (e) {
          return isMetricsError(e) && (e as { code: number }).code === 400;
        }
        const distinct = [...new Set(values)].sort();
        if (distinct.some((v) => STRUCTURAL.test(v))) return false;
        const inner = distinct.map((v) => `env:${v}`).join(' OR ');
        return terms.length === 1 && terms[0] === (distinct.length === 1 ? inner : `(${inner})`);
      }),
      { numRuns: 1000 },
    );
  });

  it('hostile keys are rejected or contain no structural characters', () => {
    fc.assert(
      fc.property(anyString, (key) => {
        try {
          const [t] = requirementToTerms(req(key, 'exists'));
          return t === `${key}:*` && !STRUCTURAL.test(key) && !key.includes(':');
        } catch (e) {
          return isMetricsError(e) && (e as { code: number }).code === 400;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
