import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Quantity} from './quantity.js';
import { isQuantityParseError, parseQuantity, QuantityParseError } from './quantity.js';

describe('parseQuantity', () => {
  // contract §5.4 quirks, as apimachinery's String() prints them
  it.each([
    ['+1', '+1'],
    ['5.', '5.'],
    ['1.5e3', '1500'],
    ['1e20', '100e18'],
    ['0.1m', '100u'],
    ['1.2345678m', '1234568n'],
    ['8Ei', '9223372036854775807'],
    ['-8Ei', '-9223372036854775807'],
  ])('%s → %s (§5.4)', (text, canonical) => {
    expect(parseQuantity(text).toString()).toBe(canonical);
  });

  it.each([
    ['0', '0', 'DecimalSI'],
    ['100m', '100m', 'DecimalSI'],
    ['1000m', '1', 'DecimalSI'],
    ['0.001', '1m', 'DecimalSI'],
    ['1.5', '1500m', 'DecimalSI'],
    ['-1.5', '-1500m', 'DecimalSI'],
    ['1k', '1k', 'DecimalSI'],
    ['1000k', '1M', 'DecimalSI'],
    ['1E', '1E', 'DecimalSI'],
    ['1n', '1n', 'DecimalSI'],
    ['1u', '1u', 'DecimalSI'],
    ['007', '007', 'DecimalSI'], // echoed as apimachinery does
    ['1e3', '1e3', 'DecimalExponent'],
    ['12e6', '12e6', 'DecimalExponent'],
    ['1e-3', '1e-3', 'DecimalExponent'],
    ['1E+3', '1E+3', 'DecimalExponent'],
    ['1e-10', '1e-9', 'DecimalExponent'], // rounded up to a nano
    ['1Ki', '1Ki', 'BinarySI'],
    ['-1Ki', '-1Ki', 'BinarySI'],
    ['1024Ki', '1Mi', 'BinarySI'],
    ['1025Ki', '1025Ki', 'BinarySI'],
    ['1.5Gi', '1536Mi', 'BinarySI'],
    ['0.5Gi', '512Mi', 'BinarySI'],
    ['0.5Ki', '512', 'BinarySI'],
    ['1Ei', '1Ei', 'BinarySI'],
    ['123456789012345678901234', '123456789012345678901234', 'DecimalSI'],
  ])('%s → %s (%s)', (text, canonical, format) => {
    const q = parseQuantity(text);
    expect(q.toString()).toBe(canonical);
    expect(q.format).toBe(format);
  });

  it('writes DecimalSI exponents above 18 with a longer E mantissa (apimachinery prints "1" for 1000E)', () => {
    expect(parseQuantity('1000E').toString()).toBe('1000E');
    expect(parseQuantity('1000E').value()).toBe(10n ** 21n);
  });

  it('reads inputs without digits as zero, like apimachinery', () => {
    for (const t of ['-', '+', '.', 'm', '-m', 'Ki']) expect(parseQuantity(t).sign()).toBe(0);
  });

  it.each([
    ['1', 1000n],
    ['1.2345678m', 2n],
    ['-1.5m', -2n],
    ['1n', 1n],
    ['-1n', -1n],
    ['1Ki', 1024000n],
    ['1e20', 10n ** 23n],
    ['8Ei', 9223372036854775807000n],
    ['0', 0n],
  ])('milliValue(%s) = %s (rounded away from zero)', (text, milli) => {
    expect(parseQuantity(text).milliValue()).toBe(milli);
  });

  it('value() and toNumber()', () => {
    expect(parseQuantity('1500m').value()).toBe(2n);
    expect(parseQuantity('1500m').toNumber()).toBe(1.5);
    expect(parseQuantity('-2Ki').toNumber()).toBe(-2048);
    expect(JSON.stringify({ q: parseQuantity('1.5') })).toBe('{"q":"1500m"}');
  });

  it('refuses to expand absurd exponents', () => {
    const q = parseQuantity('1e999999');
    expect(q.toString()).toBe('1e999999');
    expect(() => q.milliValue()).toThrow(RangeError);
    expect(parseQuantity('1e-999999').milliValue()).toBe(1n);
  });

  it.each([
    ['', 'format'],
    [' 1', 'format'],
    ['1 ', 'format'],
    ['1.1.M', 'format'],
    ['1+1.0M', 'format'],
    ['aoeu', 'format'],
    ['-3.01e-', 'suffix'],
    ['0.1mi', 'suffix'],
    ['0.1am', 'format'],
    ['.5i', 'suffix'],
    ['1i', 'suffix'],
    ['1e', 'suffix'],
    ['1K', 'suffix'],
    ['1KB', 'format'],
    ['--1', 'suffix'],
    ['1e99999999999999999999', 'suffix'],
    ['Ei', 'numeric'],
    ['.e-10', 'numeric'],
  ])('rejects %j (%s)', (text, kind) => {
    let err: unknown;
    try {
      parseQuantity(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuantityParseError);
    expect(isQuantityParseError(err)).toBe(true);
    expect((err as QuantityParseError).kind).toBe(kind);
    expect((err as QuantityParseError).message).toContain(JSON.stringify(text));
  });

  const quantityLike = fc
    .tuple(
      fc.constantFrom('', '-', '+'),
      fc.stringMatching(/^[0-9]{0,22}$/),
      fc.option(fc.stringMatching(/^[0-9]{0,12}$/)),
      fc.constantFrom('', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'e', 'E', 'i', 'K'),
      fc.option(fc.integer({ min: -30, max: 30 })),
    )
    .map(([sign, num, denom, suffix, exp]) => `${sign}${num}${denom === null ? '' : `.${denom}`}${suffix}${exp === null ? '' : exp}`);

  it('arbitrary strings give a Quantity or a QuantityParseError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789.+-eEinumkKMGTP ') }), quantityLike), (text) => {
        let q: Quantity;
        try {
          q = parseQuantity(text);
        } catch (e) {
          expect(e).toBeInstanceOf(QuantityParseError);
          return;
        }
        // toString is itself a valid quantity of the same value
        const again = parseQuantity(q.toString());
        expect(again.toString()).toBe(q.toString());
        expect(again.scaledValue(-9)).toBe(q.scaledValue(-9));
      }),
      { numRuns: 1000 },
    );
  });
});
