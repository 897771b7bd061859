import {
  backendFailure,
  isMetricsError,
  metricNotFound,
  metricNotFoundFor,
  metricNotFoundForSelector,
  metricSelectorOf,
  NotFoundError,
  objectReference,
  type CustomMetricInfo,
  type CustomMetricsProvider,
  type ExternalMetricInfo,
  type ExternalMetricsProvider,
  type ExternalMetricValue,
  type GetExternalMetricRequest,
  type GetMetricByNameRequest,
  type GetMetricBySelectorRequest,
  type GroupResource,
  type GroupVersionKind,
  type KubeLookup,
  type KubeObject,
  type MetricValue,
  type ObjectReference,
  Selector,
} from '@custom-metrics/core';
import type { CustomSeries, MemoryStore, StoredObjectValue } from './store.js';

/**
 * MemoryCustomProvider answers custom metrics from a {@link MemoryStore}. Objects come from the
 * KubeLookup (a label selector selects among them); an object that has a value declared in the
 * store but is unknown to the KubeLookup is served too (with the labels declared for it). The
 * value of an object is the sum over the series matching the metric selector of its own value,
 * or the series default.
 */
export class MemoryCustomProvider implements CustomMetricsProvider {
  /** Answers from the store and the cluster view, both in memory (core's `answersFromMemory`). */
  readonly answersFromMemory = true;

  /**
   * The last list answer made from each cluster-view list (weakly: a list the lookup no longer
   * hands out takes its answer with it), for the next request asking the same of the same list.
   */
  readonly #answers = new WeakMap<readonly KubeObject[], KeptAnswer>();

  constructor(
    private readonly store: MemoryStore,
    private readonly kube: KubeLookup,
    private readonly now: () => Date = () => new Date(),
  ) {}

  listAllMetrics(): CustomMetricInfo[] {
    return this.store.customMetrics();
  }

  async getMetricBySelector(req: GetMetricBySelectorRequest): Promise<MetricValue[]> {
    req.signal.throwIfAborted();
    const all = this.#series(req.info);
    const ns = req.info.namespaced ? req.namespace : '';
    const gr = req.info.groupResource;
    let known: readonly KubeObject[];
    let everyKnown: readonly KubeObject[];
    try {
      known = await this.kube.listObjects(gr, ns, req.selector);
      // Objects the cluster view knows are only served when they match the selector; declared
      // objects it does not know are matched by the labels declared for them.
      everyKnown = req.selector.isEmpty() ? known : await this.kube.listObjects(gr, ns, Selector.everything());
    } catch (e) {
      known = everyKnown = listFailed(gr, e);
    }
    req.signal.throwIfAborted();
    const key = answerKey(req, ns);
    const version = this.store.version;
    const kept = this.#answers.get(known);
    let answer: ListAnswer;
    if (kept !== undefined && kept.key === key && kept.version === version && kept.all === all && kept.everyKnown === everyKnown) {
      answer = kept;
    } else {
      answer = await this.#answer(req, ns, all, known, everyKnown);
      // Kept only while nothing it was made of changes: the store (its version), the cluster
      // view (the lists' identities) and the request (its key). An answer naming declared objects
      // unknown to the cluster view is not kept: their kind comes from discovery, which may change.
      if (answer.keep) this.#answers.set(known, { ...answer, key, version, all, everyKnown });
    }
    // Per request: the timestamp, and the items holding it (their described objects and metric
    // are the answer's, shared and frozen).
    const { items, metricField, windowSeconds } = answer;
    const timestamp = this.now();
    const out: MetricValue[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      out[i] = new AnsweredValue(it.describedObject, metricField, timestamp, it.value, windowSeconds);
    }
    return out;
  }

  /**
   * What a list answer is made of but its timestamp: the objects described, in order, with their
   * values, and the metric and window every item shares. Keeps the answer only when every object
   * comes from the cluster view.
   */
  async #answer(
    req: GetMetricBySelectorRequest,
    ns: string,
    all: readonly CustomSeries[],
    known: readonly KubeObject[],
    everyKnown: readonly KubeObject[],
  ): Promise<ListAnswer> {
    const series = req.metricSelector.isEmpty() ? all : all.filter((s) => req.metricSelector.matches(s.labels));
    // `namespace/name` of each object, computed once: the key of `seen` and of the series' objects.
    const objects: Candidate[] = [];
    const seen = new Set<string>();
    if (everyKnown !== known) for (const o of everyKnown) seen.add(objectKey(o.namespace ?? '', o.name));
    for (const o of known) {
      const namespace = o.namespace ?? '';
      const key = objectKey(namespace, o.name);
      if (everyKnown === known) seen.add(key);
      objects.push({ namespace, name: o.name, gvk: o.gvk, key });
    }
    // The cluster view lists in (namespace, name) order: sorting is only needed when declared
    // objects are added or a lookup lists in another order.
    let sorted = isSorted(objects);
    let keep = true;
    const namespacedFilter = req.info.namespaced && ns !== '';
    for (const s of all) {
      for (const key of s.objects.keys()) {
        if (seen.has(key)) continue;
        const o = s.objects.get(key) as StoredObjectValue;
        if (namespacedFilter && o.namespace !== ns) continue;
        if (!req.selector.matches(o.labels)) continue;
        seen.add(key);
        objects.push({ namespace: o.namespace, name: o.name, gvk: undefined, key });
        sorted = false;
        keep = false;
      }
    }
    if (!sorted) objects.sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));
    // Per answer, not per object: the kind (looked up only when an object lacks it) and the
    // apiVersion text of each run of one kind.
    let kind: GroupVersionKind | undefined;
    const items: AnswerItem[] = [];
    let lastGvk: GroupVersionKind | undefined;
    let apiVersion = '';
    for (const o of objects) {
      const v = valueByKey(series, o.key, true);
      if (v === undefined) continue;
      const gvk = o.gvk ?? (kind ??= await this.#kind(req.info.groupResource));
      if (gvk !== lastGvk) {
        lastGvk = gvk;
        apiVersion = `${gvk.group}/${gvk.version}`;
      }
      // objectReference(gvk, namespace, name), with the apiVersion text of the answer's kind.
      const describedObject: ObjectReference = Object.freeze(
        o.namespace ? { kind: gvk.kind, namespace: o.namespace, name: o.name, apiVersion } : { kind: gvk.kind, name: o.name, apiVersion },
      );
      items.push({ describedObject, value: v });
    }
    const { metricField, windowSeconds } = commonFields(req.info, series, req.metricSelector);
    return { items, metricField, windowSeconds, keep };
  }

  async getMetricByName(req: GetMetricByNameRequest): Promise<MetricValue> {
    req.signal.throwIfAborted();
    const gr = req.info.groupResource;
    const all = this.#series(req.info);
    const ns = req.info.namespaced ? req.namespace : '';
    let object: KubeObject | undefined;
    try {
      object = await this.kube.getObject(gr, ns, req.name);
    } catch (e) {
      if (!isUnknownResource(e)) throw lookupFailed(gr, e);
      object = undefined;
    }
    req.signal.throwIfAborted();
    const declared = all.some((s) => s.objects.has(`${ns}/${req.name}`));
    if (!object && !declared) throw metricNotFoundFor(gr, req.info.metric, req.name);
    const series = all.filter((s) => req.metricSelector.matches(s.labels));
    const v = valueOf(series, ns, req.name, object !== undefined);
    if (v === undefined) {
      if (!req.metricSelector.isEmpty()) throw metricNotFoundForSelector(gr, req.info.metric, req.name, req.metricSelector);
      throw metricNotFoundFor(gr, req.info.metric, req.name);
    }
    return this.#metricValue(req.info, { namespace: ns, name: req.name, gvk: object?.gvk, uid: object?.uid }, v, series, req.metricSelector);
  }

  #series(info: CustomMetricInfo): readonly CustomSeries[] {
    const s = this.store.customSeries(info.groupResource, info.metric);
    if (s === undefined) throw metricNotFound(info.groupResource, info.metric);
    return s;
  }

  async #metricValue(
    info: CustomMetricInfo,
    o: { namespace: string; name: string; gvk?: GroupVersionKind; uid?: string },
    value: number,
    series: readonly CustomSeries[],
    metricSelector: Selector,
  ): Promise<MetricValue> {
    const gvk = o.gvk ?? (await this.#kind(info.groupResource));
    const { metricField, windowSeconds } = commonFields(info, series, metricSelector);
    return new AnsweredValue(objectReference(gvk, o.namespace, o.name), metricField, this.now(), value, windowSeconds);
  }

  async #kind(gr: GroupResource): Promise<GroupVersionKind> {
    try {
      return await this.kube.kindFor(gr);
    } catch (e) {
      if (!isUnknownResource(e)) throw lookupFailed(gr, e);
      // Unknown to the cluster view: describe it from its name (`widgets.example.com` → Widget).
      const singular = gr.resource.replace(/ies$/, 'y').replace(/(s|x|ch|sh)es$/, '$1').replace(/s$/, '');
      return { group: gr.group, version: 'v1', kind: singular.charAt(0).toUpperCase() + singular.slice(1) };
    }
  }
}

/**
 * The objects of a failed cluster-view list: none for a resource the cluster does not know (only
 * its declared objects are served); any other failure of the cluster view is thrown as a failure
 * (503), never an empty answer.
 */
function listFailed(gr: GroupResource, e: unknown): readonly KubeObject[] {
  if (isUnknownResource(e)) return NO_OBJECTS;
  throw lookupFailed(gr, e);
}

const NO_OBJECTS: readonly KubeObject[] = Object.freeze([]);

/** The KubeLookup's "resource unknown to the cluster" answer (a 404 MetricsError). */
function isUnknownResource(e: unknown): boolean {
  return isMetricsError(e) && e.code === 404;
}

/** A failed cluster lookup: core's `unreachable` failure (503, can be retried), never an empty list or a 404. */
function lookupFailed(gr: GroupResource, e: unknown): Error {
  if (isMetricsError(e) && e.code >= 500) return e;
  const what = gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
  return backendFailure('unreachable', `unable to look up ${what} in the cluster; the cluster view is unavailable, retry later`);
}

/** What every item of one answer shares but its timestamp. */
function commonFields(info: CustomMetricInfo, series: readonly CustomSeries[], metricSelector: Selector): Pick<ListAnswer, 'metricField' | 'windowSeconds'> {
  return {
    metricField: Object.freeze({ name: info.metric, selector: metricSelectorOf(metricSelector) }),
    windowSeconds: series.find((s) => s.windowSeconds !== undefined)?.windowSeconds,
  };
}

/** One item of a {@link ListAnswer}: the object described (frozen) and its value. */
interface AnswerItem {
  readonly describedObject: ObjectReference;
  readonly value: number;
}

/** A list answer but its timestamp ({@link MemoryCustomProvider.getMetricBySelector}). */
interface ListAnswer {
  readonly items: readonly AnswerItem[];
  /** The `metric` of every item (one frozen object). */
  readonly metricField: MetricValue['metric'];
  readonly windowSeconds: number | undefined;
  /** Whether it may be kept for later requests (every object from the cluster view). */
  readonly keep: boolean;
}

/** A kept list answer, with what it was made of. */
interface KeptAnswer extends ListAnswer {
  /** {@link answerKey} of the request. */
  readonly key: string;
  /** The store's version. */
  readonly version: number;
  readonly all: readonly CustomSeries[];
  readonly everyKnown: readonly KubeObject[];
}

/**
 * What of a list request an answer depends on besides the store and the cluster view's lists:
 * the metric, scope, namespace, selector and metric selector (`\n` appears in none of them).
 */
function answerKey(req: GetMetricBySelectorRequest, ns: string): string {
  const gr = req.info.groupResource;
  return `${gr.group}\n${gr.resource}\n${req.info.metric}\n${req.info.namespaced}\n${ns}\n${req.selector.toString()}\n${req.metricSelector.toString()}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One object a list answer may describe, with its `namespace/name` key. */
interface Candidate {
  readonly namespace: string;
  readonly name: string;
  readonly gvk: GroupVersionKind | undefined;
  readonly key: string;
}

/** The key of an object in {@link CustomSeries.objects}. */
function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Whether the candidates are in (namespace, name) order already. */
function isSorted(objects: readonly Candidate[]): boolean {
  for (let i = 1; i < objects.length; i++) {
    const a = objects[i - 1];
    const b = objects[i];
    if ((a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)) > 0) return false;
  }
  return true;
}

/** Sum over `series` of the object's value or the series default; undefined when none applies. */
function valueOf(series: readonly CustomSeries[], namespace: string, name: string, useDefault = true): number | undefined {
  return valueByKey(series, objectKey(namespace, name), useDefault);
}

/** {@link valueOf} by the object's key. */
function valueByKey(series: readonly CustomSeries[], key: string, useDefault: boolean): number | undefined {
  let sum: number | undefined;
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    const own = s.objects.get(key)?.value;
    const v = own ?? (useDefault ? s.defaultValue : undefined);
    if (v !== undefined) sum = (sum ?? 0) + v;
  }
  return sum;
}

/** MemoryExternalProvider answers external metrics from a {@link MemoryStore} (names case-insensitive). */
export class MemoryExternalProvider implements ExternalMetricsProvider {
  /** Answers from the store in memory (core's `answersFromMemory`). */
  readonly answersFromMemory = true;

  constructor(
    private readonly store: MemoryStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  listAllExternalMetrics(): ExternalMetricInfo[] {
    return this.store.externalMetrics().map((metric) => ({ metric }));
  }

  async getExternalMetric(req: GetExternalMetricRequest): Promise<ExternalMetricValue[]> {
    req.signal.throwIfAborted();
    const entry = this.store.external(req.info.metric);
    if (!entry) throw new NotFoundError(`the server could not find the external metric ${req.info.metric}`);
    const ts = this.now();
    return entry.series
      .filter((s) => req.metricSelector.matches(s.labels))
      .map((s) => {
        const v: ExternalMetricValue = { metricName: req.info.metric, metricLabels: { ...s.labels }, timestamp: ts, value: s.value };
        if (entry.windowSeconds !== undefined) v.windowSeconds = entry.windowSeconds;
        return v;
      });
  }
}

/**
 * One value answered, made per request. A class rather than an object literal: V8 tracks
 * the objects of each literal site, and under load it decided (allocation-site pretenuring) to
 * allocate this site's objects directly in the old generation, where each request's short-lived
 * items piled up until the next full GC (~0.6 MB per scavenge, docs/benchmarks.md "P1: fifth
 * round"). Objects made by a constructor have no allocation site and are never pretenured so.
 */
class AnsweredValue implements MetricValue {
  constructor(
    readonly describedObject: ObjectReference,
    readonly metric: MetricValue['metric'],
    readonly timestamp: Date,
    readonly value: number,
    readonly windowSeconds: number | undefined,
  ) {}
}
