import type { GroupResource, Selector } from '@custom-metrics/core';
import { ConfigError } from '../errors.js';
import { escapePromString, escapeRegex, labelMatcher, requirementToMatcher } from './promql.js';
import { NAMESPACES } from './resource-names.js';
import type { ResourceConverter } from './resource-converter.js';
import { isCoalescibleTemplate } from './coalesce.js';
import { compileTemplate, type CompiledTemplate } from './template.js';

/** The fields a `metricsQuery` / `containerQuery` / `nodeQuery` template sees. */
export interface QueryTemplateArgs {
  /** The series (metric) name. */
  Series: string;
  /** Comma-separated label matchers, every value escaped. */
  LabelMatchers: string;
  /** Label name → the value (or `a|b` regex alternation) matched on it, escaped for a PromQL string. */
  LabelValuesByName: Record<string, string>;
  /** Comma-separated group-by labels (the resource label first). */
  GroupBy: string;
  GroupBySlice: string[];
}

/** Arguments of {@link MetricsQuery.build}. */
export interface BuildArgs {
  series: string;
  resource: GroupResource;
  /** `""` for root-scoped queries. */
  namespace: string;
  /** Object names; one name matches with `=`, several with an escaped `=~"a|b"` alternation. */
  names: readonly string[];
  metricSelector: Selector;
  extraGroupBy?: readonly string[];
}

/** Arguments of {@link MetricsQuery.buildMerged}. */
export interface MergedBuildArgs {
  series: string;
  resource: GroupResource;
  /** Whether the resource is namespaced: the answer is then grouped by the namespace label too. */
  namespaced: boolean;
  metricSelector: Selector;
}

/** A merged query and the labels its answer is keyed by. */
export interface MergedQuery {
  promql: string;
  /** The namespace label (namespaced resources), else `undefined`. */
  namespaceLabel?: string;
  /** The label holding the object's name. */
  resourceLabel: string;
}

/**
 * MetricsQuery is a compiled `metricsQuery` template plus the logic of prometheus-adapter's
 * `metricsQuery.Build` / `BuildExternal`: the metric selector's matchers first (sorted by key),
 * then the namespace matcher, then (custom metrics) the resource-name matcher. Every value is
 * escaped, so the result is the same PromQL prometheus-adapter produces for ordinary values and
 * safe for hostile ones. Pure.
 */
export class MetricsQuery {
  readonly #template: CompiledTemplate;
  readonly #resources: ResourceConverter;
  readonly #replacements: ReadonlyArray<{ find?: string; replace?: string }>;
  /**
   * Whether requests may be answered from one merged query per metric ({@link buildMerged});
   * see `isCoalescibleTemplate` for the templates that qualify.
   */
  readonly coalescible: boolean;

  constructor(
    source: string,
    resources: ResourceConverter,
    path: string,
    options: { labelValueReplacements?: ReadonlyArray<{ find?: string; replace?: string }>; external?: boolean } = {},
  ) {
    this.#resources = resources;
    this.#replacements = options.external ? (options.labelValueReplacements ?? []) : [];
    this.coalescible = !options.external && isCoalescibleTemplate(source);
    try {
      this.#template = compileTemplate(source);
      // A dry run catches unknown fields and bad function calls at start-up.
      this.#template.execute({
        Series: 'series',
        LabelMatchers: 'namespace="default"',
        LabelValuesByName: new Map([['namespace', 'default']]),
        GroupBy: 'pod',
        GroupBySlice: ['pod'],
      });
    } catch (e) {
      throw new ConfigError(path, (e as Error).message);
    }
  }

  /** Renders the template with ready-made arguments. */
  render(args: QueryTemplateArgs): string {
    // LabelValuesByName is a Go map upstream: `.LabelValuesByName.pod` is valid for any key.
    const q = this.#template.execute({ ...args, LabelValuesByName: new Map(Object.entries(args.LabelValuesByName)) });
    if (q.length === 0) throw new Error('empty query produced by metrics query template');
    return q;
  }

  /**
   * build renders the query for custom or resource metrics.
   * @throws {BadRequestError} (core) for a metric selector PromQL cannot express.
   */
  build(a: BuildArgs): string {
    if (a.names.length === 0) throw new Error('build needs at least one object name');
    const exprs: string[] = [];
    const values: Record<string, string> = {};
    this.#selectorParts(a.metricSelector, exprs, values);
    if (a.namespace !== '') this.#namespacePart(a.namespace, exprs, values);
    const resourceLabel = this.#resources.labelForResource(a.resource);
    if (resourceLabel === undefined) throw new Error(`no label is mapped to resource ${a.resource.resource}`);
    if (a.names.length === 1) {
      exprs.push(labelMatcher(resourceLabel, '=', a.names[0]));
      values[resourceLabel] = escapePromString(a.names[0]);
    } else {
      const alternation = a.names.map(escapeRegex).join('|');
      exprs.push(labelMatcher(resourceLabel, '=~', alternation));
      values[resourceLabel] = escapePromString(alternation);
    }
    const groupBy = [resourceLabel, ...(a.extraGroupBy ?? [])];
    return this.render({
      Series: a.series,
      LabelMatchers: exprs.join(','),
      LabelValuesByName: values,
      GroupBy: groupBy.join(','),
      GroupBySlice: groupBy,
    });
  }

  /**
   * buildMerged renders the query that answers every object of a metric at once: the metric
   * selector's matchers as in {@link build}, then `namespace!=""` (namespaced resources) and
   * `<resource label>!=""` instead of the namespace and name matchers, grouped by the namespace
   * label and the resource label. Only meaningful for a {@link coalescible} template, whose value
   * for each (namespace, name) group then equals the per-request query's value for that object.
   * @throws {BadRequestError} (core) for a metric selector PromQL cannot express.
   */
  buildMerged(a: MergedBuildArgs): MergedQuery {
    const exprs: string[] = [];
    const values: Record<string, string> = {};
    this.#selectorParts(a.metricSelector, exprs, values);
    const resourceLabel = this.#resources.labelForResource(a.resource);
    if (resourceLabel === undefined) throw new Error(`no label is mapped to resource ${a.resource.resource}`);
    const namespaceLabel = a.namespaced ? (this.#resources.labelForResource(NAMESPACES) ?? 'namespace') : undefined;
    if (namespaceLabel !== undefined) exprs.push(labelMatcher(namespaceLabel, '!=', ''));
    exprs.push(labelMatcher(resourceLabel, '!=', ''));
    const groupBy = namespaceLabel !== undefined ? [namespaceLabel, resourceLabel] : [resourceLabel];
    const promql = this.render({
      Series: a.series,
      LabelMatchers: exprs.join(','),
      LabelValuesByName: values,
      GroupBy: groupBy.join(','),
      GroupBySlice: groupBy,
    });
    return { promql, resourceLabel, ...(namespaceLabel !== undefined ? { namespaceLabel } : {}) };
  }

  /** buildExternal renders the query for an external metric; `namespace` `""` adds no namespace matcher. */
  buildExternal(series: string, namespace: string, metricSelector: Selector): string {
    const exprs: string[] = [];
    const values: Record<string, string> = {};
    this.#selectorParts(metricSelector, exprs, values);
    if (namespace !== '') this.#namespacePart(namespace, exprs, values);
    return this.render({ Series: series, LabelMatchers: exprs.join(','), LabelValuesByName: values, GroupBy: '', GroupBySlice: [] });
  }

  /** The label the resource's names are matched on (the group-by label of custom queries). */
  resourceLabel(resource: GroupResource): string | undefined {
    return this.#resources.labelForResource(resource);
  }

  #replace(v: string): string {
    let out = v;
    for (const r of this.#replacements) if (r.find) out = out.split(r.find).join(r.replace ?? '');
    return out;
  }

  #selectorParts(sel: Selector, exprs: string[], values: Record<string, string>): void {
    for (const r of sel.requirements) {
      exprs.push(requirementToMatcher(r));
      const vs = r.values.map((v) => this.#replace(v));
      values[r.key] = escapePromString(vs.length > 1 ? vs.map(escapeRegex).join('|') : (vs[0] ?? ''));
    }
  }

  #namespacePart(namespace: string, exprs: string[], values: Record<string, string>): void {
    const label = this.#resources.labelForResource(NAMESPACES) ?? 'namespace';
    exprs.push(labelMatcher(label, '=', namespace));
    values[label] = escapePromString(this.#replace(namespace));
  }
}

/**
 * batchNames splits object names into groups whose escaped `a|b|…` alternation stays within
 * `maxBytes` (UTF-8) once quoted for PromQL; a single over-long name forms its own group (it is
 * matched with `=`, not a regex).
 */
export function batchNames(names: readonly string[], maxBytes: number): string[][] {
  const batches: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const n of names) {
    const len = Buffer.byteLength(escapePromString(escapeRegex(n))) + (cur.length > 0 ? 1 : 0);
    if (cur.length > 0 && size + len > maxBytes) {
      batches.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(n);
    size += cur.length === 1 ? Buffer.byteLength(escapePromString(escapeRegex(n))) : len;
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}

/** The path of Prometheus' instant query endpoint, counted in a GET request's size. */
const QUERY_PATH = '/api/v1/query?';

/**
 * queryRequestBytes is the size of an instant query request for `promql` as the client sends it:
 * the form-encoded body (`query=…`) of a POST, or the path and query string of a GET.
 */
export function queryRequestBytes(promql: string, method: 'POST' | 'GET'): number {
  const encoded = new URLSearchParams({ query: promql }).toString().length;
  return method === 'GET' ? QUERY_PATH.length + encoded : encoded;
}

/**
 * batchNamesForRequest splits `names` into batches whose regex stays within `maxRegexBytes` (as
 * {@link batchNames}) and whose whole request — `requestBytes(batch)`, the rendered query with
 * its encoding — stays within `maxRequestBytes`. Batches are filled greedily from the encoded size
 * of each name, then checked against `requestBytes` and halved while too large (a single name is
 * never split). Pure.
 */
export function batchNamesForRequest(
  names: readonly string[],
  limits: { maxRegexBytes: number; maxRequestBytes: number },
  requestBytes: (batch: readonly string[]) => number,
): string[][] {
  if (names.length === 0) return [];
  const cost = (n: string) => new URLSearchParams({ q: escapePromString(escapeRegex(n)) }).toString().length - 2 + 3; // + encoded '|'
  // What a batch costs beyond its names (template, matchers, encoding), from a two-name probe.
  const probe = names.length > 1 ? [names[0], names[1]] : [names[0]];
  const fixed = Math.max(0, requestBytes(probe) - probe.reduce((sum, n) => sum + cost(n), 0));
  const budget = limits.maxRequestBytes - fixed;
  const regexBytes = (n: string) => Buffer.byteLength(escapePromString(escapeRegex(n)));
  const out: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  let regex = 0;
  for (const n of names) {
    const c = cost(n);
    const r = regexBytes(n) + (cur.length > 0 ? 1 : 0);
    if (cur.length > 0 && (size + c > budget || regex + r > limits.maxRegexBytes)) {
      out.push(...fit(cur, limits.maxRequestBytes, requestBytes));
      cur = [];
      size = 0;
      regex = 0;
    }
    regex += cur.length > 0 ? r : regexBytes(n);
    cur.push(n);
    size += c;
  }
  if (cur.length > 0) out.push(...fit(cur, limits.maxRequestBytes, requestBytes));
  return out;
}

function fit(batch: string[], max: number, requestBytes: (batch: readonly string[]) => number): string[][] {
  if (batch.length === 1 || requestBytes(batch) <= max) return [batch];
  const half = Math.ceil(batch.length / 2);
  return [...fit(batch.slice(0, half), max, requestBytes), ...fit(batch.slice(half), max, requestBytes)];
}
