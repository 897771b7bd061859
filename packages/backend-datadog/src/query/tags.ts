/**
 * Datadog tag filters built from Kubernetes label selectors. Pure: no I/O.
 *
 * Datadog tag rules (docs.datadoghq.com, "Getting Started with Tags"): a tag is `key:value` or a
 * bare value; it starts with a letter and may then contain alphanumerics (Unicode letters),
 * underscores, minuses, colons, periods and slashes; at most 200 characters; the key ends at the
 * first colon. Datadog's query syntax has no documented escape for other characters, so any value
 * outside that alphabet is rejected with 400 instead of being escaped: a rejected value can never
 * reach the query, and an accepted one can never contain `,` `{` `}` `(` `)` `!` `*` whitespace or
 * quotes, the characters that would end a term or change its meaning.
 */
import { BadRequestError } from '@custom-metrics/core';
import type { Requirement } from '@custom-metrics/core';

/** Maximum length of one Datadog tag (`key:value`). */
export const MAX_TAG_LENGTH = 200;

const TAG_KEY = /^\p{L}[\p{L}\p{N}_\-./]*$/u;
const TAG_VALUE = /^[\p{L}\p{N}][\p{L}\p{N}_\-.:/]*$/u;
const RESERVED = new Set(['and', 'or', 'not', 'in']);

/** isValidTagKey tells whether `key` may be used as a Datadog tag key in a query. */
export function isValidTagKey(key: string): boolean {
  return key.length > 0 && key.length < MAX_TAG_LENGTH && TAG_KEY.test(key) && !RESERVED.has(key.toLowerCase());
}

/** isValidTagValue tells whether `value` may be used as a Datadog tag value in a query (starts with a letter or digit). */
export function isValidTagValue(value: string): boolean {
  return value.length > 0 && TAG_VALUE.test(value);
}

/**
 * tagTerm renders `key:value` after validating both parts.
 * Throws BadRequestError (400) when either part could not be expressed safely.
 */
export function tagTerm(key: string, value: string): string {
  if (!isValidTagKey(key)) {
    throw new BadRequestError(`label key ${JSON.stringify(key)} is not a valid Datadog tag key`);
  }
  if (!isValidTagValue(value)) {
    throw new BadRequestError(
      `label value ${JSON.stringify(value)} for ${JSON.stringify(key)} is not a valid Datadog tag value ` +
        '(allowed: letters, digits, "_", "-", ".", ":", "/")',
    );
  }
  const term = `${key}:${value}`;
  if (term.length > MAX_TAG_LENGTH) {
    throw new BadRequestError(`tag ${JSON.stringify(key)} is longer than ${MAX_TAG_LENGTH} characters`);
  }
  return term;
}

function wildcardTerm(key: string): string {
  if (!isValidTagKey(key)) {
    throw new BadRequestError(`label key ${JSON.stringify(key)} is not a valid Datadog tag key`);
  }
  return `${key}:*`;
}

/**
 * requirementToTerms turns one selector requirement into Datadog filter terms (ANDed together):
 * `=`/`==` → `key:value`; `!=` → `!key:value`; `in` → `key:a` or `(key:a OR key:b)`;
 * `notin` → `!key:a`, `!key:b`; exists → `key:*`; `!key` → `!key:*`.
 * `gt`/`lt` have no Datadog tag equivalent and are rejected with 400.
 */
export function requirementToTerms(req: Requirement): string[] {
  switch (req.operator) {
    case '=':
    case '==':
      return [tagTerm(req.key, req.values[0] ?? '')];
    case '!=':
      return [`!${tagTerm(req.key, req.values[0] ?? '')}`];
    case 'in': {
      const terms = [...new Set(req.values)].sort().map((v) => tagTerm(req.key, v));
      if (terms.length === 0) throw new BadRequestError(`selector ${JSON.stringify(req.key)} in () has no values`);
      return [terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`];
    }
    case 'notin':
      return [...new Set(req.values)].sort().map((v) => `!${tagTerm(req.key, v)}`);
    case 'exists':
      return [wildcardTerm(req.key)];
    case '!':
      return [`!${wildcardTerm(req.key)}`];
    case 'gt':
    case 'lt':
      throw new BadRequestError(`selector operator ${req.operator} on ${JSON.stringify(req.key)} cannot be expressed as a Datadog tag filter`);
    default:
      throw new BadRequestError(`unsupported selector operator ${String((req as { operator: unknown }).operator)}`);
  }
}

/** requirementsToTerms converts a whole selector (requirements ANDed), sorted by key as given. */
export function requirementsToTerms(reqs: readonly Requirement[]): string[] {
  return reqs.flatMap((r) => requirementToTerms(r));
}

/**
 * joinTerms renders the inside of a `{...}` scope: `*` when empty; terms joined with `,` when all
 * are plain tags (the form the Cluster Agent uses), otherwise with ` AND ` (boolean syntax, needed
 * once a term is an OR group or contains spaces).
 */
export function joinTerms(terms: readonly string[]): string {
  if (terms.length === 0) return '*';
  const plain = terms.every((t) => !/[\s()]/.test(t));
  return terms.join(plain ? ',' : ' AND ');
}
