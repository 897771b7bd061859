// Pure query building: no I/O. Requests become a structured SeriesQuery (sent as JSON, so no value
// can change the query's structure); what the metrics API cannot express is a 400 here.
import { unsupportedSelectorOperator } from '@custom-metrics/core';
import type { Requirement, Selector } from '@custom-metrics/core';

/** One label matcher of a {@link SeriesQuery}. A missing label compares as `""`. */
export interface LabelMatcher {
  readonly label: string;
  readonly op: 'in' | 'notin';
  readonly values: readonly string[];
}

/** What the client asks the metrics API: the latest value of every `series` matching all matchers. */
export interface SeriesQuery {
  readonly series: string;
  readonly matchers: readonly LabelMatcher[];
}

/** Translates one selector requirement; `gt`/`lt` cannot be expressed on labels: 400. */
export function requirementToMatcher(r: Requirement): LabelMatcher {
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return { label: r.key, op: 'in', values: [...r.values] };
    case '!=':
    case 'notin':
      return { label: r.key, op: 'notin', values: [...r.values] };
    case 'exists':
      return { label: r.key, op: 'notin', values: [''] };
    case '!':
      return { label: r.key, op: 'in', values: [''] };
    default:
      throw unsupportedSelectorOperator('template', r.operator, r.key, ['=', '==', '!=', 'in', 'notin', 'exists', '!']);
  }
}

/** The query for `series` on the named objects, in `namespace` when given, filtered by `metricSelector`. */
export function buildCustomQuery(input: {
  series: string;
  objectLabel: string;
  names: readonly string[];
  namespaceLabel?: string;
  namespace?: string;
  metricSelector: Selector;
}): SeriesQuery {
  const matchers: LabelMatcher[] = [{ label: input.objectLabel, op: 'in', values: [...input.names] }];
  if (input.namespaceLabel !== undefined && input.namespace) matchers.push({ label: input.namespaceLabel, op: 'in', values: [input.namespace] });
  matchers.push(...input.metricSelector.requirements.map(requirementToMatcher));
  return { series: input.series, matchers };
}

/** The query for an external metric's `series`, filtered by `metricSelector` (and namespace, when the rule says so). */
export function buildExternalQuery(input: { series: string; metricSelector: Selector; namespaceLabel?: string; namespace?: string }): SeriesQuery {
  const matchers = input.metricSelector.requirements.map(requirementToMatcher);
  if (input.namespaceLabel !== undefined && input.namespace) matchers.push({ label: input.namespaceLabel, op: 'in', values: [input.namespace] });
  return { series: input.series, matchers };
}

/** Whether `labels` satisfy every matcher of `query` (the semantics the fake client and the API share). */
export function matchesQuery(query: SeriesQuery, labels: Readonly<Record<string, string>>): boolean {
  return query.matchers.every((m) => m.values.includes(labels[m.label] ?? '') === (m.op === 'in'));
}
