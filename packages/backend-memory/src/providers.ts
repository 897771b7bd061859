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
  Selector,
} from '@custom-metrics/core';
import type { CustomSeries, MemoryStore } from './store.js';

/**
 * MemoryCustomProvider answers custom metrics from a {@link MemoryStore}. Objects come from the
 * KubeLookup (a label selector selects among them); an object that has a value declared in the
 * store but is unknown to the KubeLookup is served too (with the labels declared for it). The
 * value of an object is the sum over the series matching the metric selector of its own value,
 * or the series default.
 */
export class MemoryCustomProvider implements CustomMetricsProvider {
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
    const series = all.filter((s) => req.metricSelector.matches(s.labels));
    const ns = req.info.namespaced ? req.namespace : '';
    const known = await this.#list(req.info.groupResource, ns, req.selector);
    // Objects the cluster view knows are only served when they match the selector; declared
    // objects it does not know are matched by the labels declared for them.
    const everyKnown = req.selector.isEmpty() ? known : await this.#list(req.info.groupResource, ns, Selector.everything());
    req.signal.throwIfAborted();
    const seen = new Set(everyKnown.map((o) => `${o.namespace ?? ''}/${o.name}`));
    const objects: Array<{ namespace: string; name: string; gvk?: GroupVersionKind; uid?: string }> = known.map((o) => ({
      namespace: o.namespace ?? '',
      name: o.name,
      gvk: o.gvk,
      uid: o.uid,
    }));
    for (const s of all) {
      for (const o of s.objects.values()) {
        const id = `${o.namespace}/${o.name}`;
        if (seen.has(id) || (req.info.namespaced && ns !== '' && o.namespace !== ns)) continue;
        if (!req.selector.matches(o.labels)) continue;
        seen.add(id);
        objects.push({ namespace: o.namespace, name: o.name });
      }
    }
    objects.sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));
    // Per answer, not per object: the kind (looked up only when an object lacks it), the metric
    // selector, the timestamp and the window are the same for every item.
    let kind: GroupVersionKind | undefined;
    const common = this.#common(req.info, series, req.metricSelector);
    const out: MetricValue[] = [];
    for (const o of objects) {
      const v = valueOf(series, o.namespace, o.name);
      if (v === undefined) continue;
      const gvk = o.gvk ?? (kind ??= await this.#kind(req.info.groupResource));
      out.push(metricValue(common, gvk, o.namespace, o.name, v));
    }
    return out;
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

  async #list(gr: GroupResource, namespace: string, selector: Selector): Promise<KubeObject[]> {
    try {
      return await this.kube.listObjects(gr, namespace, selector);
    } catch (e) {
      // A resource the cluster does not know serves only its declared objects; any other
      // failure of the cluster view is a failure (503), never an empty answer.
      if (isUnknownResource(e)) return [];
      throw lookupFailed(gr, e);
    }
  }

  async #metricValue(
    info: CustomMetricInfo,
    o: { namespace: string; name: string; gvk?: GroupVersionKind; uid?: string },
    value: number,
    series: readonly CustomSeries[],
    metricSelector: Selector,
  ): Promise<MetricValue> {
    const gvk = o.gvk ?? (await this.#kind(info.groupResource));
    return metricValue(this.#common(info, series, metricSelector), gvk, o.namespace, o.name, value);
  }

  /** What every item of one answer shares. */
  #common(info: CustomMetricInfo, series: readonly CustomSeries[], metricSelector: Selector): CommonFields {
    return {
      metric: info.metric,
      selector: metricSelectorOf(metricSelector),
      timestamp: this.now(),
      windowSeconds: series.find((s) => s.windowSeconds !== undefined)?.windowSeconds,
    };
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

/** The fields every item of one answer shares. */
interface CommonFields {
  readonly metric: string;
  readonly selector: MetricValue['metric']['selector'];
  readonly timestamp: Date;
  readonly windowSeconds: number | undefined;
}

function metricValue(common: CommonFields, gvk: GroupVersionKind, namespace: string, name: string, value: number): MetricValue {
  const v: MetricValue = {
    describedObject: objectReference(gvk, namespace, name),
    metric: { name: common.metric, selector: common.selector },
    timestamp: common.timestamp,
    value,
  };
  if (common.windowSeconds !== undefined) v.windowSeconds = common.windowSeconds;
  return v;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sum over `series` of the object's value or the series default; undefined when none applies. */
function valueOf(series: readonly CustomSeries[], namespace: string, name: string, useDefault = true): number | undefined {
  let sum: number | undefined;
  for (const s of series) {
    const own = s.objects.get(`${namespace}/${name}`)?.value;
    const v = own ?? (useDefault ? s.defaultValue : undefined);
    if (v !== undefined) sum = (sum ?? 0) + v;
  }
  return sum;
}

/** MemoryExternalProvider answers external metrics from a {@link MemoryStore} (names case-insensitive). */
export class MemoryExternalProvider implements ExternalMetricsProvider {
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
