/**
 * Kubernetes `resource.Quantity` parsing (apimachinery `ParseQuantity`, contract §5.4) with exact
 * BigInt values. Formatting numbers lives in `quantity-format.ts`.
 */
import {
  binarySuffixExponent,
  decimalSuffixExponent,
  divAwayFromZero,
  formatBinary,
  formatDecimal,
  pow10,
  type QuantityFormat,
} from './quantity-canonical.js';

const QUANTITY_BRAND = Symbol.for('@custom-metrics/core/QuantityParseError');

/** apimachinery's regular expression, quoted in its format error. */
export const QUANTITY_REGEXP = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/** Why a quantity was rejected, mirroring apimachinery's three errors. */
export type QuantityParseErrorKind = 'format' | 'suffix' | 'numeric';

const GO_MESSAGES: Record<QuantityParseErrorKind, string> = {
  format: `quantities must match the regular expression '${QUANTITY_REGEXP}'`,
  suffix: "unable to parse quantity's suffix",
  numeric: 'unable to parse numeric part of quantity',
};

/**
 * Thrown by {@link parseQuantity} for text apimachinery's `ParseQuantity` rejects. The message is
 * `invalid quantity "<text>": <apimachinery's error>`.
 */
export class QuantityParseError extends Error {
  /** The rejected text. */
  readonly text: string;
  /** Which of apimachinery's errors applies (`ErrFormatWrong`, `ErrSuffix`, `ErrNumeric`). */
  readonly kind: QuantityParseErrorKind;

  constructor(text: string, kind: QuantityParseErrorKind) {
    super(`invalid quantity ${JSON.stringify(text)}: ${GO_MESSAGES[kind]}`);
    this.name = 'QuantityParseError';
    this.text = text;
    this.kind = kind;
    Object.defineProperty(this, QUANTITY_BRAND, { value: true });
  }
}

/** Brand check for {@link QuantityParseError} that works across copies of core. */
export function isQuantityParseError(e: unknown): e is QuantityParseError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[QUANTITY_BRAND] === true;
}

export type { QuantityFormat };

/**
 * An exact Kubernetes quantity: `mantissa × 10^exponent` in one of the three formats. Obtain one
 * from {@link parseQuantity}.
 */
export class Quantity {
  /** The format used by {@link toString}. */
  readonly format: QuantityFormat;
  /** Value = `mantissa × 10^exponent` (exponent ≥ −9 for parsed quantities). */
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly #text: string | undefined;

  /**
   * @param text the string to echo from {@link toString} when apimachinery would echo the input
   *   (it already is canonical); otherwise the canonical form is computed.
   */
  constructor(mantissa: bigint, exponent: number, format: QuantityFormat, text?: string) {
    this.mantissa = mantissa;
    this.exponent = mantissa === 0n ? 0 : exponent;
    this.format = format;
    this.#text = text;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.mantissa === 0n ? 0 : this.mantissa < 0n ? -1 : 1;
  }

  /**
   * The value scaled by `10^-scale`, rounded away from zero (apimachinery `ScaledValue`, without int64
   * limits).
   * @throws RangeError when the result would need more than 10^100000 (e.g. `1e999999`).
   */
  scaledValue(scale: number): bigint {
    const shift = this.exponent - scale;
    if (shift >= 0) return this.mantissa * pow10(shift);
    const abs = this.mantissa < 0n ? -this.mantissa : this.mantissa;
    // |mantissa| < 10^-shift: the quotient is 0, rounded away from zero to ±1.
    if (abs !== 0n && -shift > abs.toString().length) return this.mantissa < 0n ? -1n : 1n;
    return divAwayFromZero(this.mantissa, pow10(-shift));
  }

  /** `ceil(q × 1000)` away from zero, exactly (apimachinery `MilliValue` without int64 overflow). */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** The integer value rounded away from zero (apimachinery `Value`, exact). */
  value(): bigint {
    return this.scaledValue(0);
  }

  /** The nearest double (may lose precision). */
  toNumber(): number {
    return Number(`${this.mantissa}e${this.exponent}`);
  }

  /**
   * The canonical string, as apimachinery's `String()`: the input itself when it already was
   * canonical (`"+1"` stays `"+1"`), otherwise computed (`"1.5e3"` → `"1500"`, `"0.1m"` → `"100u"`).
   */
  toString(): string {
    if (this.#text !== undefined) return this.#text;
    return this.format === 'BinarySI'
      ? formatBinary(this.mantissa, this.exponent)
      : formatDecimal(this.mantissa, this.exponent, this.format);
  }

  /** JSON form: the canonical string. */
  toJSON(): string {
    return this.toString();
  }
}

const MAX_INT64 = 9223372036854775807n;
const isDigit = (c: string) => c >= '0' && c <= '9';
const SUFFIX_CHARS = 'eEinumkKMGTP';

interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** apimachinery's `parseQuantityString` scanner. */
function scan(str: string): Scanned | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end && (str[0] === '-' || str[0] === '+')) {
    positive = str[0] === '+';
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, value: str, num, denom: '', suffix: '' };
  pos = i;
  if (num === '') num = '0';
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos])) pos++;
  if (pos >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  return undefined;
}

/** apimachinery's `suffixHandler.interpret`. */
function interpret(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const dec = decimalSuffixExponent(suffix);
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = binarySuffixExponent(suffix);
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const parsed = BigInt(suffix.slice(1));
    if (parsed > MAX_INT64 || parsed < -MAX_INT64 - 1n) return undefined;
    // Go converts the int64 to int32 (wrapping); reproduced so equal inputs mean equal values.
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

/**
 * Parses a Kubernetes quantity exactly as apimachinery's `ParseQuantity` accepts it: an optional
 * sign, digits with an optional fraction, and a suffix `n u m k M G T P E`, `Ki Mi Gi Ti Pi Ei` or an
 * exponent `e<int>`/`E<int>` (a bare `E` is exa). No surrounding spaces. Values are rounded up (away
 * from zero) to nano precision; BinarySI values are capped at 2^63−1 as upstream.
 *
 * Like apimachinery, a text with no digits before its suffix reads as zero (`"."`, `"-"`, `"m"`), and
 * `toString()` echoes an input that is already canonical (`"+1"`, `"5."`, `"007"`). One quirk is not
 * reproduced: apimachinery prints DecimalSI exponents above 18 without a suffix
 * (`"1000E"` → `"1"`); we print `"1000E"`. `UnmarshalJSON`'s bare numbers and `null` are not accepted
 * here (this parses quantity text only).
 *
 * @throws QuantityParseError for anything apimachinery rejects.
 */
export function parseQuantity(text: string): Quantity {
  if (typeof text !== 'string' || text.length === 0) throw new QuantityParseError(String(text), 'format');
  if (text === '0') return new Quantity(0n, 0, 'DecimalSI', '0');
  const s = scan(text);
  if (s === undefined) throw new QuantityParseError(text, 'format');
  const suf = interpret(s.suffix);
  if (suf === undefined) throw new QuantityParseError(text, 'suffix');
  const { positive, num, denom } = s;
  const { format, exponent } = suf;
  const digits = num + denom;

  // apimachinery's int64 fast path decides whether the input is echoed by String().
  let fast = false;
  let echo = false;
  if (format === 'BinarySI') {
    const precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    if (denom.length === 0 && precision >= 0) {
      const v = BigInt(num);
      if (v << BigInt(exponent) <= MAX_INT64) {
        fast = true;
        echo = exponent % 10 === 0 && (v & 7n) !== 0n;
      }
    }
  } else if (18 - digits.length >= 0 && exponent - denom.length >= -9) {
    fast = true;
    echo = (exponent - denom.length) % 3 === 0 && !digits.endsWith('000') && digits[0] !== '0';
  }
  if (!fast && !/[0-9]/.test(s.value)) throw new QuantityParseError(text, 'numeric');

  let mantissa: bigint;
  let exp: number;
  if (format === 'BinarySI') {
    // value = digits × 2^exponent / 10^len(denom), rounded away from zero to nanos, capped.
    const whole = BigInt(digits) << BigInt(exponent);
    if (denom.length <= 9) {
      mantissa = whole * pow10(9 - denom.length);
    } else {
      mantissa = divAwayFromZero(whole, pow10(denom.length - 9));
    }
    exp = -9;
    if (mantissa > MAX_INT64 * 1_000_000_000n) {
      mantissa = MAX_INT64;
      exp = 0;
    }
  } else {
    exp = exponent - denom.length;
    mantissa = BigInt(digits);
    if (exp < -9) {
      const shift = -9 - exp;
      mantissa =
        shift > digits.length ? (mantissa === 0n ? 0n : 1n) : divAwayFromZero(mantissa, pow10(shift));
      exp = -9;
    }
  }
  if (!positive) mantissa = -mantissa;
  let outFormat = format;
  if (format === 'BinarySI' && !fast) {
    const abs = mantissa < 0n ? -mantissa : mantissa;
    // A BinarySI value strictly between 0 and 1 (after nano rounding) becomes DecimalSI upstream.
    if (abs !== 0n && exp === -9 && abs < 1_000_000_000n) outFormat = 'DecimalSI';
  }
  return new Quantity(mantissa, exp, outFormat, echo ? text : undefined);
}
