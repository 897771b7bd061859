import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBinaryQuantity, formatNanoCores, formatQuantity, roundScaled } from './quantity-format.js';
import { parseQuantity } from './quantity.js';

/** Independent reference: x × 10^digits rounded half away from zero, via exact doubling. */
function referenceRound(x: number, digits: number): bigint {
  let k = 0;
  let v = x;
  while (!Number.isInteger(v) && k < 1100) {
    v *= 2;
    k++;
  }
  const num = BigInt(v) * 10n ** BigInt(digits);
  const den = 1n << BigInt(k);
  const neg = num < 0n;
  const a = neg ? -num : num;
  let q = a / den;
  if ((a % den) * 2n >= den) q++;
  return neg ? -q : q;
}

describe('formatQuantity', () => {
  // contract §5.2: [v, Go's NewMilliQuantity(int64(v*1000)) string, ours]. Ours rounds the exact value
  // to the nearest milli (ties away from zero) instead of truncating a float product.
  const table: Array<[number, string, string]> = [
    [0, '0', '0'],
    [0.0001, '0', '0'],
    [0.0005, '0', '1m'], // 0.000500000000000000010… rounds up
    [0.0009, '0', '1m'],
    [0.001, '1m', '1m'],
    [0.0015, '1m', '2m'], // 0.00150000000000000003…
    [0.01, '10m', '10m'],
    [0.1, '100m', '100m'],
    [0.29, '290m', '290m'],
    [0.3, '300m', '300m'],
    [0.5, '500m', '500m'],
    [0.7, '700m', '700m'],
    [0.999, '999m', '999m'],
    [1, '1', '1'],
    [1.005, '1004m', '1005m'], // 1.00499999999999989… is nearest to 1005m
    [1.5, '1500m', '1500m'],
    [2, '2', '2'],
    [10, '10', '10'],
    [12.3, '12300m', '12300m'],
    [99.9, '99900m', '99900m'],
    [100, '100', '100'],
    [999, '999', '999'],
    [1000, '1k', '1k'],
    [1001, '1001', '1001'],
    [1200, '1200', '1200'],
    [1234.5678, '1234567m', '1234568m'],
    [1500, '1500', '1500'],
    [10000, '10k', '10k'],
    [12345, '12345', '12345'],
    [100000, '100k', '100k'],
    [1e6, '1M', '1M'],
    [1.5e6, '1500k', '1500k'],
    [2.5e6, '2500k', '2500k'],
    [123456789, '123456789', '123456789'],
    [1e9, '1G', '1G'],
    [1.1e9, '1100M', '1100M'],
    [1e12, '1T', '1T'],
    [1e15, '1P', '1P'],
    [1.5e15, '1500T', '1500T'],
    [9.2e15, '9200T', '9200T'],
    [-0.0005, '0', '-1m'],
    [-0.5, '-500m', '-500m'],
    [-1, '-1', '-1'],
    [-1.5, '-1500m', '-1500m'],
    [-1000, '-1k', '-1k'],
    [-1234.5678, '-1234567m', '-1234568m'],
  ];
  it.each(table)('%d (Go: %s) → %s', (v, go, ours) => {
    expect(formatQuantity(v)).toBe(ours);
    // where truncation and rounding agree, we match Go byte for byte
    if (referenceRound(v, 3) === BigInt(Math.trunc(v * 1000))) expect(ours).toBe(go);
  });

  it('stays exact past int64 instead of printing -9223372036854775808m', () => {
    expect(formatQuantity(9.223372036854776e15)).toBe('9223372036854776');
    expect(formatQuantity(1e16)).toBe('10P');
    expect(formatQuantity(1e18)).toBe('1E');
    expect(formatQuantity(1e20)).toBe('100E');
    expect(formatQuantity(1e21)).toBe('1000E');
    expect(formatQuantity(-1e21)).toBe('-1000E');
    expect(formatQuantity(2 ** 70)).toBe('1180591620717411303424');
    expect(parseQuantity(formatQuantity(1e300)).value()).toBe(BigInt(1e300));
  });

  it('matches NewQuantity(n, DecimalSI) for whole numbers (§5.2 other constructors)', () => {
    expect(formatQuantity(1000)).toBe('1k');
    expect(formatQuantity(1500)).toBe('1500');
    expect(formatQuantity(1200000)).toBe('1200k');
    expect(formatQuantity(1e18)).toBe('1E');
  });

  it('rounds ties away from zero', () => {
    expect(formatQuantity(0.0625)).toBe('63m'); // exactly 62.5m
    expect(formatQuantity(-0.0625)).toBe('-63m');
    expect(formatQuantity(5e-324)).toBe('0');
    expect(formatQuantity(-0)).toBe('0');
  });

  it.each([NaN, Infinity, -Infinity])('throws RangeError for %d', (v) => {
    expect(() => formatQuantity(v)).toThrow(RangeError);
  });

  it('round-trips: parseQuantity(formatQuantity(x)).milliValue() is x rounded to the milli', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = formatQuantity(x);
        const q = parseQuantity(s);
        expect(q.milliValue()).toBe(referenceRound(x, 3));
        expect(q.toString()).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips for realistic metric values', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), (x) => {
        const s = formatQuantity(x);
        expect(parseQuantity(s).milliValue()).toBe(referenceRound(x, 3));
        expect(parseQuantity(s).toString()).toBe(s);
      }),
      { numRuns: 500 },
    );
  });
});

describe('formatBinaryQuantity', () => {
  // contract §5.1 BinarySI table
  it.each([
    [0.5, '500m'],
    [1000, '1k'],
    [1023, '1023'],
    [1024, '1Ki'],
    [1536, '1536'],
    [1048576, '1Mi'],
    [1500000, '1500000'],
    [24678400, '24100Ki'],
    [1000.5, '1000500m'],
    [0, '0'],
    [-2048, '-2Ki'],
    [2 ** 60, '1Ei'],
    [2 ** 70, '1024Ei'],
  ])('%d → %s', (v, s) => {
    expect(formatBinaryQuantity(v)).toBe(s);
  });

  it('reads back a suffix-less binary quantity as DecimalSI, as apimachinery does', () => {
    expect(formatBinaryQuantity(757558415000)).toBe('757558415000');
    expect(parseQuantity('757558415000').toString()).toBe('757558415k');
    expect(parseQuantity('757558415000').milliValue()).toBe(757558415000000n);
  });

  it('round-trips through parseQuantity', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 1e12, noNaN: true })), (x) => {
        const s = formatBinaryQuantity(x);
        // Without a binary suffix the text parses as DecimalSI (as apimachinery's ParseQuantity
        // does), whose canonical form may differ: "1500000" → "1500k".
        expect(parseQuantity(s).toString()).toBe(/i$/.test(s) ? s : formatQuantity(x));
        expect(parseQuantity(s).milliValue()).toBe(referenceRound(x, 3));
      }),
      { numRuns: 300 },
    );
  });

  it('throws RangeError for NaN', () => {
    expect(() => formatBinaryQuantity(NaN)).toThrow(RangeError);
  });
});

describe('formatNanoCores', () => {
  it.each([
    [1e-9, '1n'],
    [1e-6, '1u'],
    [1e-3, '1m'],
    [2.5, '2500m'],
    [0.004263307, '4263307n'],
    [0.187401521, '187401521n'],
    [1, '1'],
    [0, '0'],
    [4e-10, '0'],
    [5e-10, '1n'], // 0.5000000000000000(1)n rounds away
  ])('%d → %s (NewScaledQuantity(n, -9))', (v, s) => {
    expect(formatNanoCores(v)).toBe(s);
  });

  it('round-trips at nano precision', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1024, noNaN: true }), (x) => {
        const q = parseQuantity(formatNanoCores(x));
        expect(q.scaledValue(-9)).toBe(referenceRound(x, 9));
      }),
      { numRuns: 300 },
    );
  });

  it('throws RangeError for Infinity', () => {
    expect(() => formatNanoCores(Infinity)).toThrow(RangeError);
  });
});

describe('roundScaled', () => {
  it('agrees with an independent reference', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 12 }), (x, d) => {
        expect(roundScaled(x, d)).toBe(referenceRound(x, d));
      }),
      { numRuns: 300 },
    );
  });
});

describe('roundScaled integer fast path', () => {
  it('agrees with the exact reference for integers on both sides of 2^53 / 10^digits', () => {
    const edge = (d: number) => Math.floor(Number.MAX_SAFE_INTEGER / 10 ** d);
    for (const d of [0, 3, 9, 15]) {
      for (const x of [0, -0, 1, -1, edge(d), edge(d) + 1, -edge(d), -edge(d) - 1, Number.MAX_SAFE_INTEGER, 2 ** 60]) {
        expect(roundScaled(x, d)).toBe(referenceRound(x, d));
      }
    }
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), fc.integer({ min: 0, max: 15 }), (x, d) => roundScaled(x, d) === referenceRound(x, d)),
    );
  });
});
