/**
 * A JSON encoder that writes the bytes Go's `encoding/json` writes for the same document
 * (contract §2.1): compact, HTML-safe escaping, object keys in insertion order (struct order),
 * except for objects marked with {@link goMap}, whose keys are sorted as Go sorts map keys.
 */

const GO_MAP = Symbol.for('@custom-metrics/core/wire/GoMap');

/** Go sorts map keys by their UTF-8 bytes, which is code-point order. Internal to the wire encoders. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = (x.value as string).codePointAt(0) as number;
    const cy = (y.value as string).codePointAt(0) as number;
    if (cx !== cy) return cx - cy;
  }
}

/**
 * Marks a copy of `record` as a Go map: {@link encodeJSON} writes its keys sorted (Go order), which
 * plain objects cannot keep for integer-like keys such as `"10"`. The marker is a non-enumerable
 * symbol, so the object stays a plain record for everyone else.
 */
export function goMap<V>(record: Readonly<Record<string, V>>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of Object.keys(record).sort(compareCodePoints)) out[k] = record[k];
  Object.defineProperty(out, GO_MAP, { value: true });
  return out;
}

/**
 * `encodeCompact(goMap(record))` without the copy: keys sorted in Go order, `undefined` values
 * skipped, and `__proto__` left out as {@link goMap}'s copy loses it. Internal to the wire encoders.
 */
export function encodeGoMap(record: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort(compareCodePoints);
  let out = '{';
  for (const k of keys) {
    if (k === '__proto__') continue;
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${quoteString(k)}:${encodeCompact(v)}`;
  }
  return `${out}}`;
}

/**
 * Whether a string field of a model value is a string or empty (falsy), i.e. what the direct
 * encoders write as a string; anything else goes through the generic encoder. Internal to the wire encoders.
 */
export function plainString(x: unknown): boolean {
  return !x || typeof x === 'string';
}

const HEX = '0123456789abcdef';

/** Characters {@link quoteString} escapes or checks (controls, `"`, `\\`, HTML, U+2028/9, surrogates). */
// eslint-disable-next-line no-control-regex -- the control characters are what is looked for
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;

/**
 * Go's `encodeState.string` with HTML escaping (Go ≥ 1.22 short escapes `\b`, `\f`). Internal to
 * the wire encoders (not exported by the package).
 */
export function quoteString(s: string): string {
  // Most strings (names, timestamps, quantities) need no escaping: one regex test, no loop.
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      switch (c) {
        case 0x22:
          esc = '\\"';
          break;
        case 0x5c:
          esc = '\\\\';
          break;
        case 0x0a:
          esc = '\\n';
          break;
        case 0x0d:
          esc = '\\r';
          break;
        case 0x09:
          esc = '\\t';
          break;
        case 0x08:
          esc = '\\b';
          break;
        case 0x0c:
          esc = '\\f';
          break;
        default:
          esc = `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
      }
    } else if (c === 0x2028 || c === 0x2029) {
      esc = c === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const paired =
        c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (paired) {
        i++;
        continue;
      }
      esc = '\\ufffd'; // Go writes invalid UTF-8 as the escaped replacement character
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return `${out}${s.slice(start)}"`;
}

/** A JSON number as Go writes a float64/int64 (`-0` kept). Internal to the wire encoders. */
export function encodeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`json: unsupported value: ${String(n)}`);
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

function isGoMap(o: object): boolean {
  return (o as Record<symbol, unknown>)[GO_MAP] === true;
}

function entriesOf(o: Record<string, unknown>): Array<[string, unknown]> {
  const keys = Object.keys(o);
  if (isGoMap(o)) keys.sort(compareCodePoints);
  const out: Array<[string, unknown]> = [];
  for (const k of keys) if (o[k] !== undefined) out.push([k, o[k]]);
  return out;
}

function prepare(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON(): unknown }).toJSON();
  }
  return value;
}

/**
 * {@link encode} without indentation, appending to one string (no per-level arrays or joins): what
 * {@link encodeJSON} writes, without its trailing newline. Internal to the wire encoders.
 */
export function encodeCompact(raw: unknown): string {
  const value = prepare(raw);
  if (typeof value !== 'object' || value === null) return encode(value, undefined, 0);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + encodeCompact(value[i]);
    return `${out}]`;
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (isGoMap(o)) keys.sort(compareCodePoints);
  let out = '{';
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${quoteString(k)}:${encodeCompact(v)}`;
  }
  return `${out}}`;
}

function encode(raw: unknown, indent: string | undefined, depth: number): string {
  const value = prepare(raw);
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      return encodeNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'object': {
      if (value === null) return 'null';
      const nl = indent === undefined ? '' : `\n${indent.repeat(depth + 1)}`;
      const close = indent === undefined ? '' : `\n${indent.repeat(depth)}`;
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]';
        return `[${value.map((v) => nl + encode(v, indent, depth + 1)).join(',')}${close}]`;
      }
      const entries = entriesOf(value as Record<string, unknown>);
      if (entries.length === 0) return '{}';
      const sep = indent === undefined ? ':' : ': ';
      return `{${entries.map(([k, v]) => `${nl}${quoteString(k)}${sep}${encode(v, indent, depth + 1)}`).join(',')}${close}}`;
    }
    default:
      throw new TypeError(`json: unsupported type: ${typeof value}`);
  }
}

/**
 * Encodes `value` as Go's `json.NewEncoder(w).Encode(value)` does: compact, `<`, `>`, `&`, U+2028
 * and U+2029 escaped, and a trailing `"\n"`. Object keys keep insertion order (renderers build them
 * in Go struct order); `undefined` members are skipped (renderers apply `omitempty` themselves);
 * {@link goMap} objects have their keys sorted; `toJSON()` is honoured.
 *
 * @throws TypeError for NaN, ±Infinity, functions and symbols (Go refuses them too).
 */
export function encodeJSON(value: unknown): string {
  return `${encodeCompact(value)}\n`;
}

/** Encodes `value` as Go's `json.MarshalIndent(value, "", "  ")`: two-space indent, no trailing newline. */
export function encodeJSONPretty(value: unknown): string {
  return encode(value, '  ', 0);
}
