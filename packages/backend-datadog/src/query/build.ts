/**
 * Datadog metric query strings, built without I/O from a rule and a request's selectors.
 * Query syntax: `<aggregator>:<metric>{<tag filters>} by {<tag keys>}.rollup(<method>, <seconds>)`.
 */
import { BadRequestError } from '@custom-metrics/core';
import type { Requirement } from '@custom-metrics/core';
import { isValidTagKey, joinTerms, requirementsToTerms, tagTerm } from './tags.js';

/** Space aggregators of a Datadog metric query. */
export type Aggregator = 'avg' | 'sum' | 'min' | 'max';
/** Time aggregation methods of `.rollup()`. */
export type RollupMethod = 'avg' | 'sum' | 'min' | 'max' | 'count';

/** `.rollup(method, seconds)`. */
export interface Rollup {
  /** Omitted: Datadog's default for the metric type (`.rollup(<seconds>)`). */
  readonly method?: RollupMethod;
  readonly seconds: number;
}

/** Where a query comes from: a metric with aggregator/rollup, or a template from the config. */
export type QueryShape =
  | { readonly kind: 'metric'; readonly metric: string; readonly aggregator: Aggregator; readonly rollup?: Rollup }
  /** A template containing `<<tags>>` (replaced by the tag filter) and, for custom metrics, `<<by>>`. */
  | { readonly kind: 'template'; readonly template: string };

/** Everything needed to render one query. */
export interface QuerySpec {
  readonly shape: QueryShape;
  /** Trusted filter terms from the config (e.g. `env:prod`), placed first. */
  readonly staticTerms: readonly string[];
  /** Terms derived from request values (already validated by {@link requirementsToTerms} / {@link tagTerm}). */
  readonly requestTerms: readonly string[];
  /** Tag keys to group by (`by {...}`), validated. */
  readonly groupBy: readonly string[];
}

/** Placeholder for the tag filter in a template. */
export const TAGS_PLACEHOLDER = '<<tags>>';
/** Placeholder for the group-by tag list in a template. */
export const BY_PLACEHOLDER = '<<by>>';

const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.]*$/;

/**
 * isValidMetricName applies Datadog's metric naming rules: starts with a letter, then ASCII
 * alphanumerics, underscores and periods, at most 200 characters.
 */
export function isValidMetricName(name: string): boolean {
  return name.length > 0 && name.length <= 200 && METRIC_NAME.test(name);
}

function wrapStatic(term: string): string {
  return /\s/.test(term) && !(term.startsWith('(') && term.endsWith(')')) ? `(${term})` : term;
}

/** filterExpression renders the contents of the `{...}` scope for a spec. */
export function filterExpression(spec: Pick<QuerySpec, 'staticTerms' | 'requestTerms'>): string {
  const request = [...new Set(spec.requestTerms)].sort();
  return joinTerms([...spec.staticTerms.map(wrapStatic), ...request]);
}

/** buildQuery renders a spec as one Datadog query string. */
export function buildQuery(spec: QuerySpec): string {
  for (const key of spec.groupBy) {
    if (!isValidTagKey(key)) throw new BadRequestError(`group-by tag ${JSON.stringify(key)} is not a valid Datadog tag key`);
  }
  const filter = filterExpression(spec);
  const by = spec.groupBy.join(',');
  if (spec.shape.kind === 'template') {
    return spec.shape.template.split(TAGS_PLACEHOLDER).join(filter).split(BY_PLACEHOLDER).join(by);
  }
  const { metric, aggregator, rollup } = spec.shape;
  if (!isValidMetricName(metric)) throw new BadRequestError(`${JSON.stringify(metric)} is not a valid Datadog metric name`);
  let q = `${aggregator}:${metric}{${filter}}`;
  if (by !== '') q += ` by {${by}}`;
  if (rollup) q += rollup.method ? `.rollup(${rollup.method}, ${Math.round(rollup.seconds)})` : `.rollup(${Math.round(rollup.seconds)})`;
  return q;
}

/** selectorTerms converts a request's selector requirements into validated filter terms. */
export function selectorTerms(reqs: readonly Requirement[]): string[] {
  return requirementsToTerms(reqs);
}

/** scopeTerm is `tagTerm` for a value the server supplies (namespace, object name). */
export function scopeTerm(key: string, value: string): string {
  return tagTerm(key, value);
}
