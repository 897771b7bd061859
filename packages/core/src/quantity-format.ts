/**
 * Number → canonical quantity text, exactly: the double's exact binary value is rounded once,
 * with BigInt arithmetic, so `1.005` (really 1.00499999999999989…) and `1e20` are never mangled by
 * float multiplication or int64 overflow (contract §5.2, §5.3).
 */
import { BINARY_SUFFIX, DECIMAL_SUFFIX, divHalfAwayFromZero, formatBinary, formatDecimal } from './quantity-canonical.js';

/** Scratch space of {@link exactDouble} (synchronous, so one view serves every call). */
const DOUBLE_VIEW = new DataView(new ArrayBuffer(8));

/** The exact value of a finite double as `num × 2^pow2`. */
function exactDouble(value: number): { num: bigint; pow2: number } {
  const view = DOUBLE_VIEW;
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let pow2: number;
  if (biased === 0) {
    pow2 = -1074; // subnormal
  } else {
    fraction |= 1n << 52n;
    pow2 = biased - 1075;
  }
  return { num: negative ? -fraction : fraction, pow2 };
}

function checkFinite(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${what}: ${String(value)} is not a finite number`);
  }
}

/**
 * `value × 10^digits` rounded to the nearest integer, ties away from zero, computed exactly from the
 * double's binary value.
 */
export function roundScaled(value: number, digits: number): bigint {
  checkFinite(value, 'roundScaled');
  // An integer below 2^53 / 10^digits scales exactly in floating point.
  if (Number.isSafeInteger(value) && digits >= 0 && digits <= 15) {
    const scaled = value * 10 ** digits;
    if (Number.isSafeInteger(scaled)) return BigInt(scaled);
  }
  const { num, pow2 } = exactDouble(value);
  const scaled = num * 10n ** BigInt(digits);
  if (pow2 >= 0) return scaled << BigInt(pow2);
  return divHalfAwayFromZero(scaled, 1n << BigInt(-pow2));
}

/**
 * The canonical Kubernetes DecimalSI quantity of `value` rounded to the nearest milli, ties away from
 * zero: `0.5` → `"500m"`, `1000` → `"1k"`, `1.5e6` → `"1500k"`, `-1.5` → `"-1500m"`.
 *
 * Differences from prometheus-adapter (`NewMilliQuantity(int64(v*1000), DecimalSI)`):
 * - it truncates toward zero after a float multiplication (`1.005` → `"1004m"`, `0.0009` → `"0"`);
 *   we round the exact value to the nearest milli (`"1005m"`, `"1m"`), which is the closest quantity;
 * - it overflows int64 from about 9.22e15 (amd64 prints `"-9223372036854775808m"`); we stay exact at
 *   any magnitude, using the largest suffix `E` with a longer mantissa past 10^21 (`1e21` → `"1000E"`,
 *   `1e20` → `"100E"`), which apimachinery parses back to the same value.
 *
 * @throws RangeError for NaN and ±Infinity.
 */
export function formatQuantity(value: number): string {
  checkFinite(value, 'formatQuantity');
  const fast = scaledFast(value * 1000);
  if (fast !== undefined) return formatScaled(fast, -3);
  return formatDecimal(roundScaled(value, 3), -3, 'DecimalSI');
}

/** Below 2^51 the ulp of a double is at most 1/4. */
const FAST_LIMIT = 2 ** 51;

/**
 * The exact `value × 10^digits` rounded (ties away from zero), from its floating-point product
 * `product`, when that can be told without BigInt: `|product| < 2^51` (so the product is within 1/8
 * of the exact value) and within 1/4 of an integer `n` (so the exact value is within 3/8 of `n`,
 * which is then its rounding). `undefined` otherwise (the exact path decides).
 */
function scaledFast(product: number): number | undefined {
  if (!(product < FAST_LIMIT && product > -FAST_LIMIT)) return undefined;
  const n = Math.round(product);
  const d = product - n;
  return d < 0.25 && d > -0.25 ? n : undefined;
}

/**
 * `formatDecimal(BigInt(scaled), exponent, 'DecimalSI')` for a whole `scaled` with |scaled| < 2^51
 * and `exponent` −9 or −3: the canonical digits found with exact integer arithmetic on doubles.
 */
function formatScaled(scaled: number, exponent: number): string {
  if (scaled === 0) return '0';
  let digits = scaled;
  let e = exponent;
  while (digits % 10 === 0) {
    digits /= 10;
    e++;
  }
  const r = (e + 9) % 3;
  if (r === 1) {
    digits *= 10;
    e -= 1;
  } else if (r === 2) {
    digits *= 100;
    e -= 2;
  }
  return `${digits}${DECIMAL_SUFFIX.get(e)}`;
}

/**
 * A byte count as a canonical BinarySI quantity, as metrics-server writes memory:
 * `24678400` → `"24100Ki"`, `1024` → `"1Ki"`, `1536` → `"1536"`, `1000` → `"1k"` (below 1024 is
 * DecimalSI). Non-integers are rounded to the nearest milli (ties away from zero) and, not being
 * whole, written DecimalSI (`1000.5` → `"1000500m"`).
 *
 * @throws RangeError for NaN and ±Infinity.
 */
export function formatBinaryQuantity(bytes: number): string {
  checkFinite(bytes, 'formatBinaryQuantity');
  // Fast path, same text, for a whole byte count below 2^41 (its milli count is below 2^51).
  if (Number.isInteger(bytes) && bytes < 2 ** 41 && bytes > -(2 ** 41)) {
    if (bytes < 1024 && bytes > -1024) return formatScaled(bytes * 1000, -3);
    let value = bytes;
    let times = 0;
    while (times < BINARY_SUFFIX.length - 1 && !(value < 1024 && value > -1024) && value % 1024 === 0) {
      value /= 1024;
      times++;
    }
    return `${value}${BINARY_SUFFIX[times]}`;
  }
  return formatBinary(roundScaled(bytes, 3), -3);
}

/**
 * CPU cores as metrics-server writes them, `NewScaledQuantity(nanocores, -9)` in DecimalSI: the value
 * is rounded to the nearest nano-core (ties away from zero), e.g. `0.004263307` → `"4263307n"`,
 * `2.5` → `"2500m"`, `0.001` → `"1m"`, `1` → `"1"`.
 *
 * @throws RangeError for NaN and ±Infinity.
 */
export function formatNanoCores(cores: number): string {
  checkFinite(cores, 'formatNanoCores');
  const fast = scaledFast(cores * 1e9);
  if (fast !== undefined) return formatScaled(fast, -9);
  return formatDecimal(roundScaled(cores, 9), -9, 'DecimalSI');
}
