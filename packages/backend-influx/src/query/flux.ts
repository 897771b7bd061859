// Flux literals and predicates. Pure: no I/O. Every value that reaches a query passes through
// fluxString or regexLiteralBody, so no label value, name or namespace can change the structure
// of the script.
import { BadRequestError } from '@custom-metrics/core';
import type { Requirement } from '@custom-metrics/core';
import { regexLiteralBody } from './influxql.js';

/** The Flux predicate that is always true. */
export const FLUX_TRUE = 'true';

/**
 * Quotes a value as a Flux string literal. `\`, `"` and `$` (the start of `${...}`
 * interpolation) are backslash-escaped; line breaks and tabs use `\n`, `\r`, `\t`.
 */
export function fluxString(value: string): string {
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '$':
        out += '\\$';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += ch;
    }
  }
  return `"${out}"`;
}

/** `r["tag"]`: a record member access with the key as an escaped string literal. */
export function fluxColumn(tag: string): string {
  return `r[${fluxString(tag)}]`;
}

/** Builds a Flux regex literal matching exactly one of `values` (`/^(?:a|b\.c)$/`). */
export function fluxExactRegex(values: readonly string[]): string {
  return `/^(?:${values.map(regexLiteralBody).join('|')})$/`;
}

/** `r["tag"] == "a"`, or a parenthesised `or` group for several values. Empty `values` gives `false`. */
export function fluxTagIn(tag: string, values: readonly string[]): string {
  if (values.length === 0) return 'false';
  const terms = values.map((v) => `${fluxColumn(tag)} == ${fluxString(v)}`);
  return terms.length === 1 ? terms[0] : `(${terms.join(' or ')})`;
}

/**
 * Translates label-selector requirements into a Flux predicate over `r`, ANDed and
 * parenthesised; {@link FLUX_TRUE} when there are none. A missing column is null in Flux, so
 * `!=`/`notin` explicitly accept records without the column (Kubernetes semantics), `exists` is
 * `exists r["k"]` and `!k` is `not exists r["k"]`. `gt`/`lt` are rejected with 400.
 */
export function fluxSelector(requirements: readonly Requirement[]): string {
  if (requirements.length === 0) return FLUX_TRUE;
  const parts = requirements.map((r) => {
    const c = fluxColumn(r.key);
    switch (r.operator) {
      case '=':
      case '==':
      case 'in':
        return fluxTagIn(r.key, r.values);
      case '!=':
      case 'notin':
        return `(not exists ${c} or ${r.values.map((v) => `${c} != ${fluxString(v)}`).join(' and ')})`;
      case 'exists':
        return `exists ${c}`;
      case '!':
        return `not exists ${c}`;
      default:
        throw new BadRequestError(`label selector operator ${JSON.stringify(r.operator)} on ${JSON.stringify(r.key)} is not supported by the InfluxDB backend`);
    }
  });
  return `(${parts.join(' and ')})`;
}
