/** Go time formats used on the wire: `metav1.Time` and `metav1.Duration` (contract §2.1). */
import { roundScaled } from '../quantity-format.js';

/**
 * `metav1.Time` as JSON text: RFC 3339 in UTC with second precision, sub-seconds truncated
 * (`2026-01-15T10:20:30.999Z` → `"2026-01-15T10:20:30Z"`).
 *
 * @throws RangeError for an invalid Date or a year outside 0000–9999 (Go refuses to marshal those).
 */
export function formatKubeTime(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('formatKubeTime: invalid date');
  // A list renders the same second for every item: the last text is reused.
  const second = Math.floor(ms / 1000);
  if (second === lastSecond) return lastText;
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`formatKubeTime: year ${year} outside [0,9999]`);
  const iso = date.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ for years 0..9999
  lastText = `${iso.slice(0, 19)}Z`;
  lastSecond = second;
  return lastText;
}

let lastSecond = Number.NaN;
let lastText = '';

const NS_PER_S = 1_000_000_000n;
const MAX_DURATION = 9223372036854775807n;

/** The fraction `v / 10^prec` as `.123` without trailing zeros (empty when zero); returns the integer part too. */
function frac(v: bigint, prec: number): { text: string; rest: bigint } {
  const p = 10n ** BigInt(prec);
  const f = v % p;
  if (f === 0n) return { text: '', rest: v / p };
  const digits = f.toString().padStart(prec, '0').replace(/0+$/, '');
  return { text: `.${digits}`, rest: v / p };
}

/**
 * `metav1.Duration` text, i.e. Go's `time.Duration.String()` of `seconds` rounded to the nanosecond:
 * `0` → `"0s"`, `15.036` → `"15.036s"`, `90` → `"1m30s"`, `3661.5` → `"1h1m1.5s"`, `0.0015` →
 * `"1.5ms"`, `0.0000015` → `"1.5µs"`.
 *
 * @throws RangeError for NaN, ±Infinity and values beyond Go's int64 nanosecond range.
 */
export function formatGoDuration(seconds: number): string {
  // A list renders the same window for every item: the last text is reused (0 and -0 write the same).
  if (seconds === lastDurationSeconds) return lastDurationText;
  const text = goDuration(seconds);
  lastDurationSeconds = seconds;
  lastDurationText = text;
  return text;
}

let lastDurationSeconds = Number.NaN;
let lastDurationText = '';

function goDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new RangeError(`formatGoDuration: ${String(seconds)} is not finite`);
  let ns = roundScaled(seconds, 9);
  if (ns > MAX_DURATION || ns < -MAX_DURATION - 1n) throw new RangeError(`formatGoDuration: ${seconds}s out of range`);
  const neg = ns < 0n;
  if (neg) ns = -ns;
  let out: string;
  if (ns === 0n) return '0s';
  if (ns < NS_PER_S) {
    let unit: string;
    let prec: number;
    if (ns < 1000n) {
      unit = 'ns';
      prec = 0;
    } else if (ns < 1_000_000n) {
      unit = 'µs';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    const f = prec === 0 ? { text: '', rest: ns } : frac(ns, prec);
    out = `${f.rest}${f.text}${unit}`;
  } else {
    const f = frac(ns, 9);
    let u = f.rest;
    out = `${u % 60n}${f.text}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}
