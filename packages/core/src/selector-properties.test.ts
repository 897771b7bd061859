import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SelectorParseError } from './selector-error.js';
import { parseSelector, Selector } from './selector.js';

const parseError = (text: string): string => {
  try {
    parseSelector(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SelectorParseError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
};

// Property tests (fast-check) for the label-selector parser.

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));
const lowerAlnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const nameChar = fc.constantFrom(...'abcXYZ019-_.'.split(''));
/** A valid label name / non-empty value: alnum ([-_.alnum]* alnum)?, at most 63 bytes. */
const labelName = fc
  .tuple(alnum, fc.array(nameChar, { maxLength: 8 }), alnum, fc.boolean())
  .map(([a, mid, z, short]) => (short ? a : a + mid.join('') + z));
const dnsLabel = fc
  .tuple(lowerAlnum, fc.array(fc.constantFrom(...'ab9-'.split('')), { maxLength: 5 }), lowerAlnum, fc.boolean())
  .map(([a, mid, z, short]) => (short ? a : a + mid.join('') + z));
const key = fc
  .tuple(fc.option(fc.array(dnsLabel, { minLength: 1, maxLength: 3 }), { nil: undefined }), fc.oneof(labelName, fc.constantFrom('in', 'notin')))
  .map(([prefix, name]) => (prefix ? `${prefix.join('.')}/${name}` : name));
const value = fc.oneof(labelName, fc.constant(''), fc.constantFrom('in', 'notin'));
const int64Text = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String);
const requirement = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('=', '==', '!=' as const), values: value.map((v) => [v]) }),
  fc.record({ key, operator: fc.constantFrom('in', 'notin' as const), values: fc.array(value, { minLength: 1, maxLength: 4 }) }),
  fc.record({ key, operator: fc.constantFrom('exists', '!' as const), values: fc.constant([] as string[]) }),
  fc.record({ key, operator: fc.constantFrom('gt', 'lt' as const), values: int64Text.map((v) => [v]) }),
);
const selector = fc.array(requirement, { maxLength: 6 }).map((reqs) => Selector.fromRequirements(reqs));
const labelSet = fc.dictionary(fc.oneof(key, fc.constantFrom('a', 'b', 'in')), fc.oneof(value, int64Text), { maxKeys: 5 });

describe('selector properties (fast-check)', () => {
  it('parseSelector(s.toString()) round-trips to the same string and the same matching', () => {
    fc.assert(
      fc.property(selector, fc.array(labelSet, { maxLength: 4 }), (s, labelSets) => {
        const text = s.toString();
        const again = parseSelector(text);
        expect(again.toString()).toBe(text);
        expect(again.requirements).toEqual(s.requirements);
        for (const ls of labelSets) expect(again.matches(ls)).toBe(s.matches(ls));
      }),
      { numRuns: 300 },
    );
  });

  it('generated selector text (with spacing) normalises idempotently', () => {
    // Empty values are left out of the lists: Go rejects a trailing `,,)` (see the error table).
    const spaced = fc.array(requirement, { minLength: 1, maxLength: 5 }).map((reqs) =>
      reqs
        .map((r) =>
          r.operator === 'in' || r.operator === 'notin'
            ? `${r.key}  ${r.operator} ( ${r.values.filter((v) => v !== '').join(' , ')} )`
            : r.operator === 'exists'
              ? ` ${r.key} `
              : r.operator === '!'
                ? `! ${r.key}`
                : `${r.key} ${r.operator === 'gt' ? '>' : r.operator === 'lt' ? '<' : r.operator} ${r.values[0]}`,
        )
        .join(' ,\t'),
    );
    fc.assert(
      fc.property(spaced, (text) => {
        const once = parseSelector(text).toString();
        expect(parseSelector(once).toString()).toBe(once);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary strings either parse or throw SelectorParseError, nothing else', () => {
    const grammarish = fc
      .array(fc.constantFrom('a', 'b=', '!', '=', '==', '!=', 'in', 'notin', '(', ')', ',', ' ', '>', '<', '1', 'x/y', '\u0000', '\t'), {
        maxLength: 30,
      })
      .map((parts) => parts.join(''));
    const anything = fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), fc.string({ maxLength: 100, unit: 'grapheme' }), grammarish);
    fc.assert(
      fc.property(anything, (text) => {
        try {
          const s = parseSelector(text);
          expect(s).toBeInstanceOf(Selector);
          expect(parseSelector(s.toString()).toString()).toBe(s.toString());
        } catch (e) {
          expect(e).toBeInstanceOf(SelectorParseError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('matches agrees with the semantics table of contract §6.2, requirement by requirement', () => {
    const int = (t: string) => (/^[+-]?[0-9]+$/.test(t) && BigInt(t) >= -(2n ** 63n) && BigInt(t) < 2n ** 63n ? BigInt(t) : undefined);
    const holds = (r: { key: string; operator: string; values: readonly string[] }, l: Record<string, string>): boolean => {
      const present = Object.prototype.hasOwnProperty.call(l, r.key);
      const v = l[r.key];
      switch (r.operator) {
        case '=': case '==': case 'in': return present && r.values.includes(v);
        case '!=': case 'notin': return !present || !r.values.includes(v);
        case 'exists': return present;
        case '!': return !present;
        default: {
          const lv = present ? int(v) : undefined;
          const rv = int(r.values[0]) as bigint;
          return lv !== undefined && (r.operator === 'gt' ? lv > rv : lv < rv);
        }
      }
    };
    fc.assert(
      fc.property(selector, labelSet, (s, l) => {
        expect(s.matches(l)).toBe(s.requirements.every((r) => holds(r, l)));
      }),
      { numRuns: 500 },
    );
  });

  it('long arbitrary strings (control characters, unicode) either parse or throw SelectorParseError', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1000, maxLength: 20_000, unit: 'binary' }), (text) => {
        try {
          parseSelector(text);
        } catch (e) {
          expect(e).toBeInstanceOf(SelectorParseError);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('very long inputs are handled without blowing up', () => {
    const long = Array.from({ length: 2000 }, (_, i) => `k${i}=v${i}`).join(',');
    expect(parseSelector(long).requirements).toHaveLength(2000);
    expect(parseError('a'.repeat(100_000))).toContain('name part must be no more than 63 bytes');
    expect(parseError(`a in (${'x,'.repeat(50_000)}`)).toBe("unable to parse requirement: found '', expected: ',', or identifier");
    expect(() => parseSelector('!'.repeat(10_000))).toThrow(SelectorParseError);
  });
});
