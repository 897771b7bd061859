import { BadRequestError } from '@custom-metrics/core';
import type { Requirement } from '@custom-metrics/core';

/** Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*`. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` is a valid Prometheus label name (and so safe to splice into PromQL). */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/**
 * escapePromString returns the body (without quotes) of a double-quoted PromQL string whose value
 * is exactly `value`: `\` and `"` are escaped, control characters use `\n`, `\t`, `\r` or `\xHH`,
 * U+2028/U+2029 use `\u`. Lone UTF-16 surrogates cannot be expressed and are rejected (400).
 */
export function escapePromString(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = value.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new BadRequestError('label value contains an invalid UTF-16 sequence');
      out += value[i] + value[i + 1];
      i++;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) throw new BadRequestError('label value contains an invalid UTF-16 sequence');
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else out += value[i];
  }
  return out;
}

/** quotePromString returns `value` as a double-quoted PromQL string literal. */
export function quotePromString(value: string): string {
  return `"${escapePromString(value)}"`;
}

/** escapeRegex escapes RE2 metacharacters (as Go's `regexp.QuoteMeta`) so `value` matches itself. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** A PromQL label matcher operator. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/** Renders `label<op>"value"` with the value escaped. The label must be a valid label name. */
export function labelMatcher(label: string, op: MatchOp, value: string): string {
  if (!isLabelName(label)) throw new BadRequestError(`${JSON.stringify(label)} is not a valid Prometheus label name`);
  return `${label}${op}${quotePromString(value)}`;
}

/** An anchored alternation regex (`^(a|b)$`) matching exactly the given literal values. */
export function exactValuesRegex(values: readonly string[]): string {
  return `^(${values.map(escapeRegex).join('|')})$`;
}

/**
 * requirementToMatcher turns one label-selector requirement into a PromQL matcher, escaping every
 * value: `=`/`==` → `=`, `!=` → `!=`, `in` → `=~"^(a|b)$"`, `notin` → `!~"^(a|b)$"`, exists →
 * `!=""`, `!key` → `=""`. `gt`/`lt` and keys that are not Prometheus label names are a 400.
 */
export function requirementToMatcher(r: Requirement): string {
  if (!isLabelName(r.key)) {
    throw new BadRequestError(`label ${JSON.stringify(r.key)} cannot be used in a Prometheus query: not a valid Prometheus label name`);
  }
  switch (r.operator) {
    case '=':
    case '==':
      return labelMatcher(r.key, '=', r.values[0] ?? '');
    case '!=':
      return labelMatcher(r.key, '!=', r.values[0] ?? '');
    case 'in':
      return labelMatcher(r.key, '=~', exactValuesRegex(r.values));
    case 'notin':
      return labelMatcher(r.key, '!~', exactValuesRegex(r.values));
    case 'exists':
      return labelMatcher(r.key, '!=', '');
    case '!':
      return labelMatcher(r.key, '=', '');
    default:
      throw new BadRequestError(`label selector operator ${JSON.stringify(r.operator)} is not supported by the Prometheus backend`);
  }
}
