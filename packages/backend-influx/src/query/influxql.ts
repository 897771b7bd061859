// InfluxQL literals and predicates. Pure: no I/O. Every value that reaches a query passes through
// one of the quoting functions below, so no label value, name or namespace can change the
// structure of the statement.
import { BadRequestError } from '@custom-metrics/core';
import type { Requirement } from '@custom-metrics/core';

/** The InfluxQL predicate that is always true (used when a filter has nothing to say). */
export const INFLUXQL_TRUE = 'true';

/**
 * Quotes an identifier (tag key, measurement) as an InfluxQL double-quoted identifier:
 * `\` and `"` are backslash-escaped and line breaks become `\n`, which the InfluxQL scanner
 * accepts inside quoted identifiers.
 */
export function influxqlIdent(name: string): string {
  return `"${escapeQuoted(name, '"')}"`;
}

/** Quotes a value as an InfluxQL single-quoted string literal (`'it\'s'`). */
export function influxqlString(value: string): string {
  return `'${escapeQuoted(value, "'")}'`;
}

function escapeQuoted(text: string, quote: '"' | "'"): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else out += ch;
  }
  return out;
}

/**
 * Builds an InfluxQL regex literal matching exactly one of `values` (`/^(?:a|b\.c)$/`): regex
 * metacharacters are escaped (the value is matched literally) and so is the `/` delimiter.
 */
export function influxqlExactRegex(values: readonly string[]): string {
  return `/^(?:${values.map(regexLiteralBody).join('|')})$/`;
}

/**
 * Escapes `value` so that, inside a `/.../` regex literal of InfluxQL or Flux, it matches itself
 * literally: Go regexp metacharacters and the `/` delimiter are backslash-escaped, and control
 * characters are written as `\x{..}` escapes.
 */
export function regexLiteralBody(value: string): string {
  let out = '';
  for (const ch of value) {
    if ('\\.+*?()|[]{}^$/'.includes(ch)) out += `\\${ch}`;
    else if (ch.charCodeAt(0) < 0x20 || ch === '\u2028' || ch === '\u2029' || ch === '\u007f') {
      out += `\\x{${ch.codePointAt(0)!.toString(16)}}`;
    } else out += ch;
  }
  return out;
}

/** `"tag" = 'a'`, or a parenthesised OR group for several values. Empty `values` gives `false`. */
export function influxqlTagIn(tag: string, values: readonly string[]): string {
  if (values.length === 0) return 'false';
  const terms = values.map((v) => `${influxqlIdent(tag)} = ${influxqlString(v)}`);
  return terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`;
}

/**
 * Translates label-selector requirements into an InfluxQL WHERE fragment, ANDed and
 * parenthesised; {@link INFLUXQL_TRUE} when there are none. InfluxQL compares a missing tag as
 * `''`, so `!=`/`notin` match series without the tag (as Kubernetes selectors do), `exists` is
 * `"k" != ''` and `!k` is `"k" = ''`. `gt`/`lt` cannot be expressed on string tags: 400.
 */
export function influxqlSelector(requirements: readonly Requirement[]): string {
  if (requirements.length === 0) return INFLUXQL_TRUE;
  const parts = requirements.map((r) => {
    const k = influxqlIdent(r.key);
    switch (r.operator) {
      case '=':
      case '==':
      case 'in':
        return influxqlTagIn(r.key, r.values);
      case '!=':
      case 'notin': {
        const terms = r.values.map((v) => `${k} != ${influxqlString(v)}`);
        return terms.length === 1 ? terms[0] : `(${terms.join(' AND ')})`;
      }
      case 'exists':
        return `${k} != ''`;
      case '!':
        return `${k} = ''`;
      default:
        throw new BadRequestError(`label selector operator ${JSON.stringify(r.operator)} on ${JSON.stringify(r.key)} is not supported by the InfluxDB backend`);
    }
  });
  return `(${parts.join(' AND ')})`;
}
