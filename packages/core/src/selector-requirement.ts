import { SelectorParseError } from './selector-error.js';
import {
  aggregateMessage,
  fieldInvalid,
  goJSONStrings,
  goQuote,
  labelKeyErrors,
  labelValueErrors,
  parseInt64,
} from './selector-validation.js';

/**
 * A label-selector operator, spelled as apimachinery's `selection.Operator`:
 * `=`, `==`, `!=`, `in`, `notin`, `exists` (bare `key`), `!` (`!key`), `gt` (`key>n`), `lt` (`key<n`).
 */
export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/**
 * One requirement of a {@link Selector}. `values` is empty for `exists`/`!`, holds one value for
 * `=`, `==`, `!=`, and one base-10 int64 for `gt`/`lt`; for `in`/`notin` it is de-duplicated and
 * sorted. Requirements are immutable (frozen).
 */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

const OPERATORS: readonly SelectorOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];

/**
 * Builds a validated, frozen requirement as apimachinery's `NewRequirement` does, throwing
 * {@link SelectorParseError} with its exact message. `values` of `in`/`notin` are sorted and
 * de-duplicated (the parser passes them that way already). `prefix` is prepended to the message.
 */
export function newRequirement(
  key: string,
  operator: SelectorOperator,
  values: readonly string[] | null,
  prefix = '',
): Requirement {
  const errs: string[] = [];
  const vals = values ?? [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) errs.push(fieldInvalid('key', goQuote(key), keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) {
        errs.push(fieldInvalid('values', goJSONStrings(values), "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) {
        errs.push(fieldInvalid('values', goJSONStrings(values), 'exact-match compatibility requires one single value'));
      }
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) {
        errs.push(fieldInvalid('values', goJSONStrings(values), 'values set must be empty for exists and does not exist'));
      }
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) {
        errs.push(fieldInvalid('values', goJSONStrings(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(fieldInvalid(`values[${i}]`, goQuote(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      errs.push(
        `operator: Unsupported value: ${goQuote(String(operator))}: supported values: ${OPERATORS.map((o) => goQuote(o)).join(', ')}`,
      );
  }
  vals.forEach((v, i) => {
    const vErrs = labelValueErrors(v);
    if (vErrs.length) errs.push(fieldInvalid(`values[${i}][${key}]`, goQuote(v), vErrs.join('; ')));
  });
  if (errs.length) throw new SelectorParseError(prefix + aggregateMessage(errs));
  const normalised = operator === 'in' || operator === 'notin' ? [...new Set(vals)].sort(compareStrings) : [...vals];
  return Object.freeze({ key, operator, values: Object.freeze(normalised) });
}

/** Byte-order string comparison (Go's `<` on strings) for ASCII/BMP label text. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
