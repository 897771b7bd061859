// Builds the query text of a rule for one request: escapes every request value for the rule's
// language and fills the template. Pure: no I/O.
import type { Selector } from '@custom-metrics/core';
import type { InfluxMode } from '../config.js';
import { FLUX_TRUE, fluxExactRegex, fluxSelector, fluxString, fluxTagIn } from './flux.js';
import { INFLUXQL_TRUE, influxqlExactRegex, influxqlIdent, influxqlSelector, influxqlString, influxqlTagIn } from './influxql.js';
import { renderTemplate, type TemplateValues } from './template.js';

/** What a custom-metric query needs. */
export interface CustomQueryInput {
  mode: InfluxMode;
  template: string;
  window: string;
  bucket?: string;
  /** Request namespace; `""` for cluster-scoped objects. */
  namespace: string;
  /** Namespace tag; absent for cluster-scoped resources (then `{{namespaceFilter}}` is `true`). */
  namespaceTag?: string;
  objectTag: string;
  /** The objects' names (at least one). */
  names: readonly string[];
  metricSelector: Selector;
}

/** What an external-metric query needs. */
export interface ExternalQueryInput {
  mode: InfluxMode;
  template: string;
  window: string;
  bucket?: string;
  namespace: string;
  /** When set, `{{namespaceFilter}}` restricts to `namespace` on this tag; otherwise it is `true`. */
  namespaceTag?: string;
  metricSelector: Selector;
}

/** Fills a custom-metric rule's template. Throws BadRequestError for unsupported selector operators. */
export function buildCustomQuery(input: CustomQueryInput): string {
  if (input.names.length === 0) throw new Error('buildCustomQuery needs at least one object name');
  const flux = input.mode === 'flux';
  const values: TemplateValues = {
    ...common(input),
    objectFilter: flux ? fluxTagIn(input.objectTag, input.names) : influxqlTagIn(input.objectTag, input.names),
    names: flux ? fluxExactRegex(input.names) : influxqlExactRegex(input.names),
    objectTag: flux ? fluxString(input.objectTag) : influxqlIdent(input.objectTag),
  };
  return renderTemplate(input.template, values);
}

/** Fills an external-metric rule's template. Throws BadRequestError for unsupported selector operators. */
export function buildExternalQuery(input: ExternalQueryInput): string {
  return renderTemplate(input.template, common(input));
}

function common(input: CustomQueryInput | ExternalQueryInput): TemplateValues {
  const flux = input.mode === 'flux';
  const str = flux ? fluxString : influxqlString;
  const tag = input.namespaceTag;
  const values: TemplateValues = {
    window: input.window,
    namespace: str(input.namespace),
    namespaceFilter:
      tag === undefined ? (flux ? FLUX_TRUE : INFLUXQL_TRUE)
      : flux ? fluxTagIn(tag, [input.namespace])
      : influxqlTagIn(tag, [input.namespace]),
    labelMatchers: flux ? fluxSelector(input.metricSelector.requirements) : influxqlSelector(input.metricSelector.requirements),
  };
  if (tag !== undefined) values.namespaceTag = flux ? fluxString(tag) : influxqlIdent(tag);
  if (flux && input.bucket !== undefined) values.bucket = fluxString(input.bucket);
  return values;
}
