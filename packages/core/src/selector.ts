import { BadRequestError } from './errors.js';
import type { LabelSelector, LabelSelectorRequirement } from './model.js';
import { SelectorParseError } from './selector-error.js';
import { parseRequirements } from './selector-parser.js';
import { compareStrings, newRequirement, type Requirement, type SelectorOperator } from './selector-requirement.js';
import { goQuote, parseInt64 } from './selector-validation.js';

type Labels = Readonly<Record<string, string>>;
type Matcher = (labels: Labels) => boolean;

const has = (labels: Labels, key: string) => Object.prototype.hasOwnProperty.call(labels, key);

function compile(r: Requirement): Matcher {
  const { key, values } = r;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in': {
      const set = new Set(values);
      return (l) => has(l, key) && set.has(l[key]);
    }
    case '!=':
    case 'notin': {
      const set = new Set(values);
      return (l) => !has(l, key) || !set.has(l[key]);
    }
    case 'exists':
      return (l) => has(l, key);
    case '!':
      return (l) => !has(l, key);
    case 'gt':
    case 'lt': {
      const bound = values.length === 1 ? parseInt64(values[0]) : undefined;
      const gt = r.operator === 'gt';
      return (l) => {
        if (bound === undefined || !has(l, key)) return false;
        const v = typeof l[key] === 'string' ? parseInt64(l[key]) : undefined;
        return v !== undefined && (gt ? v > bound : v < bound);
      };
    }
  }
}

function requirementToString(r: Requirement): string {
  const head = r.operator === '!' ? `!${r.key}` : r.key;
  switch (r.operator) {
    case 'exists':
    case '!':
      return head;
    case 'in':
    case 'notin':
      return `${head} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${head}>${r.values.join(',')}`;
    case 'lt':
      return `${head}<${r.values.join(',')}`;
    default:
      return `${head}${r.operator}${r.values.join(',')}`;
  }
}

let construct: (reqs: readonly Requirement[]) => Selector;

/**
 * Selector is a parsed Kubernetes label selector: the AND of its {@link requirements}, which are
 * sorted by key. Build one with {@link parseSelector}, {@link Selector.fromRequirements},
 * {@link labelSelectorToSelector} or {@link Selector.everything}. Immutable.
 */
export class Selector {
  /** The requirements, sorted by key (requirements with the same key keep their order). */
  readonly requirements: readonly Requirement[];
  readonly #matchers: readonly Matcher[];
  readonly #text: string;

  private constructor(requirements: readonly Requirement[]) {
    this.requirements = Object.freeze([...requirements]);
    this.#matchers = this.requirements.map(compile);
    this.#text = this.requirements.map(requirementToString).join(',');
  }

  static {
    construct = (reqs) => new Selector(reqs);
  }

  static #everything: Selector | undefined;

  /** The empty selector: matches every label set; `toString()` is `""`. */
  static everything(): Selector {
    return (Selector.#everything ??= new Selector([]));
  }

  /**
   * Builds a selector from requirements, validating each as apimachinery's `NewRequirement`
   * (throws {@link SelectorParseError} with its message) and sorting them by key.
   */
  static fromRequirements(
    requirements: Iterable<{ key: string; operator: SelectorOperator; values?: readonly string[] }>,
  ): Selector {
    const reqs = [...requirements].map((r) => newRequirement(r.key, r.operator, r.values ?? []));
    return new Selector(reqs.sort((a, b) => compareStrings(a.key, b.key)));
  }

  /** Whether every requirement holds for `labels` (contract §6.2). The empty selector matches all. */
  matches(labels: Labels): boolean {
    for (const m of this.#matchers) if (!m(labels)) return false;
    return true;
  }

  /** Whether this selector has no requirements (matches everything). */
  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** The canonical form, as apimachinery's `Selector.String()`: e.g. `app=foo,!canary,tier in (a,b)`. */
  toString(): string {
    return this.#text;
  }
}

/**
 * parseSelector parses a label selector exactly as apimachinery's `labels.Parse` (contract §6):
 * `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`, `>`, `<`; key and value validation; requirements
 * sorted by key; `in`/`notin` values de-duplicated and sorted. `""` gives the empty selector.
 * @throws {SelectorParseError} with apimachinery's message text for a bad selector.
 */
export function parseSelector(text: string): Selector {
  const reqs = parseRequirements(text);
  return reqs.length === 0 ? Selector.everything() : construct(reqs);
}

/**
 * selectorToLabelSelector converts a selector to metav1.LabelSelector JSON as
 * `metav1.ParseToLabelSelector` does: `=`/`==` become `matchLabels`; `in`, `notin`, exists and
 * `!key` become `matchExpressions` (`In`, `NotIn`, `Exists`, `DoesNotExist`, values sorted).
 * Empty parts are omitted (Go's `omitempty`). Returns `null` for the empty selector.
 * @throws {BadRequestError} for `!=`, `gt` and `lt`, which a LabelSelector cannot express.
 */
export function selectorToLabelSelector(sel: Selector): LabelSelector | null {
  if (sel.isEmpty()) return null;
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  let labelCount = 0;
  for (const r of sel.requirements) {
    switch (r.operator) {
      case '=':
      case '==':
        matchLabels[r.key] = r.values[0];
        labelCount++;
        break;
      case 'in':
        matchExpressions.push({ key: r.key, operator: 'In', values: [...r.values] });
        break;
      case 'notin':
        matchExpressions.push({ key: r.key, operator: 'NotIn', values: [...r.values] });
        break;
      case 'exists':
        matchExpressions.push({ key: r.key, operator: 'Exists' });
        break;
      case '!':
        matchExpressions.push({ key: r.key, operator: 'DoesNotExist' });
        break;
      case 'gt':
      case 'lt':
        throw new BadRequestError(`${goQuote(r.operator)} isn't supported in label selectors`);
      default:
        throw new BadRequestError(`${goQuote(r.operator)} is not a valid label selector operator`);
    }
  }
  const out: LabelSelector = {};
  if (labelCount > 0) out.matchLabels = matchLabels;
  if (matchExpressions.length > 0) out.matchExpressions = matchExpressions;
  return out;
}

const OPERATOR_OF_EXPRESSION: Readonly<Record<string, SelectorOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * labelSelectorToSelector converts metav1.LabelSelector JSON to a selector as
 * `metav1.LabelSelectorAsSelector` does (`matchLabels` become `k=v`, `In` becomes `k in (...)`).
 * An empty LabelSelector gives {@link Selector.everything}.
 * @throws {SelectorParseError} with apimachinery's message for an invalid key, value or operator.
 */
export function labelSelectorToSelector(ls: LabelSelector): Selector {
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const expr of ls.matchExpressions ?? []) {
    const op = Object.prototype.hasOwnProperty.call(OPERATOR_OF_EXPRESSION, expr.operator)
      ? OPERATOR_OF_EXPRESSION[expr.operator]
      : undefined;
    if (op === undefined) throw new SelectorParseError(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
    reqs.push(newRequirement(expr.key, op, expr.values && expr.values.length ? expr.values : null));
  }
  if (reqs.length === 0) return Selector.everything();
  return construct(reqs.sort((a, b) => compareStrings(a.key, b.key)));
}
