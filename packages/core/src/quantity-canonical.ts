/**
 * Canonical string forms of `resource.Quantity` (apimachinery `CanonicalizeBytes`, contract §5.1),
 * over an exact value `mantissa × 10^exponent` held as a BigInt.
 */

/** The three Kubernetes quantity formats. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** DecimalSI suffixes by exponent. Internal to the quantity modules. */
export const DECIMAL_SUFFIX: ReadonlyMap<number, string> = new Map([
  [-9, 'n'],
  [-6, 'u'],
  [-3, 'm'],
  [0, ''],
  [3, 'k'],
  [6, 'M'],
  [9, 'G'],
  [12, 'T'],
  [15, 'P'],
  [18, 'E'],
]);

/** BinarySI suffixes by power of 1024. Internal to the quantity modules. */
export const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

/** Largest power of ten {@link pow10} expands, to keep hostile exponents (`1e999999999`) cheap to reject. */
export const MAX_EXPANDED_EXPONENT = 100_000;

/** 10^n as a BigInt; throws RangeError beyond {@link MAX_EXPANDED_EXPONENT}. */
export function pow10(n: number): bigint {
  if (n < 0 || n > MAX_EXPANDED_EXPONENT) throw new RangeError(`quantity exponent ${n} is out of range`);
  return 10n ** BigInt(n);
}

/** `n / d` rounded away from zero (d > 0), as apimachinery's `RoundUp` does. */
export function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

/** `n / d` rounded to nearest, ties away from zero (d > 0). */
export function divHalfAwayFromZero(n: bigint, d: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let q = a / d;
  if ((a % d) * 2n >= d) q += 1n;
  return neg ? -q : q;
}

/** Moves factors of ten from the mantissa into the exponent and lowers the exponent to a multiple of 3. */
export function canonicalDigits(mantissa: bigint, exponent: number): { digits: bigint; exponent: number } {
  let a = mantissa;
  let e = exponent;
  if (a !== 0n) {
    while (a % 10n === 0n) {
      a /= 10n;
      e++;
    }
  }
  const r = ((e % 3) + 3) % 3;
  if (r === 1) {
    a *= 10n;
    e -= 1;
  } else if (r === 2) {
    a *= 100n;
    e -= 2;
  }
  return { digits: a, exponent: e };
}

/**
 * Canonical DecimalSI / DecimalExponent text of `mantissa × 10^exponent`.
 *
 * Deviation from apimachinery: an exponent above 18 in DecimalSI has no suffix upstream, which loses
 * the magnitude (`ParseQuantity("1000E").String()` is `"1"`). Here the value is written with the `E`
 * suffix and a longer mantissa (`"1000E"`), which parses back to the same value everywhere. Exponents
 * below −9 cannot occur (parsing rounds to nanos; the formatters never go below nanos); they would be
 * written with trailing zeros removed in `DecimalExponent` style.
 */
export function formatDecimal(mantissa: bigint, exponent: number, format: 'DecimalSI' | 'DecimalExponent'): string {
  if (mantissa === 0n) return '0';
  const c = canonicalDigits(mantissa, exponent);
  if (format === 'DecimalExponent') return c.exponent === 0 ? `${c.digits}` : `${c.digits}e${c.exponent}`;
  if (c.exponent > 18) return `${c.digits * pow10(c.exponent - 18)}E`;
  const suffix = DECIMAL_SUFFIX.get(c.exponent);
  return suffix === undefined ? `${c.digits}e${c.exponent}` : `${c.digits}${suffix}`;
}

/**
 * Canonical BinarySI text of `mantissa × 10^exponent` (contract §5.1): DecimalSI when
 * `|value| < 1024` or not an integer, else the integer with powers of 1024 divided out (`24100Ki`).
 * Division stops at `Ei` (apimachinery writes no suffix beyond it, losing the magnitude).
 */
export function formatBinary(mantissa: bigint, exponent: number): string {
  if (mantissa === 0n) return '0';
  const c = canonicalDigits(mantissa, exponent);
  const abs = c.digits < 0n ? -c.digits : c.digits;
  if (c.exponent < 0 || (c.exponent === 0 && abs < 1024n)) return formatDecimal(mantissa, exponent, 'DecimalSI');
  let value = c.digits * pow10(c.exponent);
  let times = 0;
  const isSmall = (v: bigint) => (v < 0n ? -v : v) < 1024n;
  if (isSmall(value)) return formatDecimal(mantissa, exponent, 'DecimalSI');
  while (times < BINARY_SUFFIX.length - 1 && !isSmall(value) && value % 1024n === 0n) {
    value /= 1024n;
    times++;
  }
  return `${value}${BINARY_SUFFIX[times]}`;
}

/** Decimal suffix exponents (`m` → −3) for parsing. */
export function decimalSuffixExponent(suffix: string): number | undefined {
  for (const [exp, s] of DECIMAL_SUFFIX) if (s === suffix) return exp;
  return undefined;
}

/** Binary suffix exponents (`Ki` → 10) for parsing. */
export function binarySuffixExponent(suffix: string): number | undefined {
  const i = (BINARY_SUFFIX as readonly string[]).indexOf(suffix);
  return i > 0 ? i * 10 : undefined;
}
