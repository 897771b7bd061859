import { metricNotFound, metricNotFoundFor, metricNotFoundForSelector, NotFoundError } from '../errors.js';
import type { KubeLookup, KubeObject } from '../kube.js';
import { groupResourceString, type CustomMetricInfo, type ExternalMetricInfo, type ExternalMetricValue, type MetricValue } from '../model.js';
import type {
  CustomMetricsProvider,
  ExternalMetricsProvider,
  GetExternalMetricRequest,
  GetMetricByNameRequest,
  GetMetricBySelectorRequest,
} from '../provider.js';
import { metricSelectorOf } from '../metric-selector.js';
import { objectReference } from '../object-reference.js';
import type { Selector } from '../selector.js';

/** One custom-metric series held by {@link FakeCustomMetricsProvider}. */
export interface FakeCustomSeries {
  /** The metric and the resource it describes. */
  info: CustomMetricInfo;
  /** Namespace of the described object; `""` for cluster-scoped objects. */
  namespace: string;
  /** Name of the described object. */
  name: string;
  /** The series' own labels, matched by `metricSelector` (e.g. `{verb: "GET"}`). */
  labels?: Readonly<Record<string, string>>;
  value: number;
  timestamp?: Date;
  windowSeconds?: number;
}

/** One external-metric series held by {@link FakeExternalMetricsProvider}. */
export interface FakeExternalSeries {
  metric: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  timestamp?: Date;
  windowSeconds?: number;
}

/** Options of the fake providers. */
export interface FakeProviderOptions {
  /** The time stamped on values without their own timestamp; default `new Date()`. */
  now?: () => Date;
}

const infoKey = (info: CustomMetricInfo) => `${groupResourceString(info.groupResource)}\u0000${info.metric}`;

function checkSignal(signal: AbortSignal): void {
  signal.throwIfAborted();
}

/**
 * FakeCustomMetricsProvider is an in-memory {@link CustomMetricsProvider} in the spirit of
 * custom-metrics-apiserver's `pkg/provider/fake`: `set` series, and it answers from them, finding
 * objects through the given {@link KubeLookup}. When several series of one object match the
 * metric selector their values are summed. It passes `customProviderConformance`.
 */
export class FakeCustomMetricsProvider implements CustomMetricsProvider {
  readonly #kube: KubeLookup;
  readonly #now: () => Date;
  readonly #series = new Map<string, FakeCustomSeries[]>();
  readonly #infos = new Map<string, CustomMetricInfo>();

  constructor(options: FakeProviderOptions & { kube: KubeLookup }) {
    this.#kube = options.kube;
    this.#now = options.now ?? (() => new Date());
  }

  /** Adds series (a series with the same metric, object and labels is replaced). */
  set(...series: FakeCustomSeries[]): void {
    for (const s of series) {
      if (!Number.isFinite(s.value)) throw new RangeError(`series value must be finite, got ${s.value}`);
      const k = infoKey(s.info);
      this.#infos.set(k, { groupResource: { ...s.info.groupResource }, namespaced: s.info.namespaced, metric: s.info.metric });
      const list = (this.#series.get(k) ?? []).filter(
        (o) => !(o.namespace === s.namespace && o.name === s.name && sameLabels(o.labels ?? {}, s.labels ?? {})),
      );
      list.push({ ...s, labels: { ...(s.labels ?? {}) } });
      this.#series.set(k, list);
    }
  }

  /** Removes every series. */
  clear(): void {
    this.#series.clear();
    this.#infos.clear();
  }

  listAllMetrics(): CustomMetricInfo[] {
    return [...this.#infos.values()].map((i) => ({ ...i, groupResource: { ...i.groupResource } }));
  }

  async getMetricBySelector(req: GetMetricBySelectorRequest): Promise<MetricValue[]> {
    checkSignal(req.signal);
    const series = this.#seriesFor(req.info);
    const objects = await this.#kube.listObjects(req.info.groupResource, req.namespace, req.selector);
    checkSignal(req.signal);
    const out: MetricValue[] = [];
    for (const o of objects) {
      const v = this.#valueFor(series, req.info, o, req.metricSelector);
      if (v) out.push(v);
    }
    return out;
  }

  async getMetricByName(req: GetMetricByNameRequest): Promise<MetricValue> {
    checkSignal(req.signal);
    const series = this.#seriesFor(req.info);
    const gr = req.info.groupResource;
    const o = await this.#kube.getObject(gr, req.namespace, req.name);
    checkSignal(req.signal);
    if (o === undefined) throw metricNotFoundFor(gr, req.info.metric, req.name);
    const v = this.#valueFor(series, req.info, o, req.metricSelector);
    if (v) return v;
    if (!req.metricSelector.isEmpty()) throw metricNotFoundForSelector(gr, req.info.metric, req.name, req.metricSelector);
    throw metricNotFoundFor(gr, req.info.metric, req.name);
  }

  #seriesFor(info: CustomMetricInfo): FakeCustomSeries[] {
    const s = this.#series.get(infoKey(info));
    if (s === undefined) throw metricNotFound(info.groupResource, info.metric);
    return s;
  }

  #valueFor(series: FakeCustomSeries[], info: CustomMetricInfo, o: KubeObject, metricSelector: Selector): MetricValue | undefined {
    const ns = o.namespace ?? '';
    const matching = series.filter((s) => s.namespace === ns && s.name === o.name && metricSelector.matches(s.labels ?? {}));
    if (matching.length === 0) return undefined;
    const first = matching[0];
    const value: MetricValue = {
      describedObject: objectReference(o.gvk, o.namespace, o.name),
      metric: { name: info.metric, selector: metricSelectorOf(metricSelector) },
      timestamp: first.timestamp ?? this.#now(),
      value: matching.reduce((sum, s) => sum + s.value, 0),
    };
    if (first.windowSeconds !== undefined) value.windowSeconds = first.windowSeconds;
    return value;
  }
}

/**
 * FakeExternalMetricsProvider is an in-memory {@link ExternalMetricsProvider}: `set` series and it
 * returns those whose labels match the metric selector. Metric names compare case-insensitively.
 * It passes `externalProviderConformance`.
 */
export class FakeExternalMetricsProvider implements ExternalMetricsProvider {
  readonly #now: () => Date;
  readonly #series = new Map<string, FakeExternalSeries[]>();
  readonly #names = new Map<string, string>();

  constructor(options: FakeProviderOptions = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  /** Adds series (a series with the same metric and labels is replaced). */
  set(...series: FakeExternalSeries[]): void {
    for (const s of series) {
      if (!Number.isFinite(s.value)) throw new RangeError(`series value must be finite, got ${s.value}`);
      const k = s.metric.toLowerCase();
      if (!this.#names.has(k)) this.#names.set(k, s.metric);
      const list = (this.#series.get(k) ?? []).filter((o) => !sameLabels(o.labels, s.labels));
      list.push({ ...s, labels: { ...s.labels } });
      this.#series.set(k, list);
    }
  }

  /** Removes every series. */
  clear(): void {
    this.#series.clear();
    this.#names.clear();
  }

  listAllExternalMetrics(): ExternalMetricInfo[] {
    return [...this.#names.values()].map((metric) => ({ metric }));
  }

  async getExternalMetric(req: GetExternalMetricRequest): Promise<ExternalMetricValue[]> {
    req.signal.throwIfAborted();
    const series = this.#series.get(req.info.metric.toLowerCase());
    if (series === undefined) throw new NotFoundError(`the server could not find the external metric ${req.info.metric}`);
    return series
      .filter((s) => req.metricSelector.matches(s.labels))
      .map((s) => {
        const v: ExternalMetricValue = {
          metricName: req.info.metric,
          metricLabels: { ...s.labels },
          timestamp: s.timestamp ?? this.#now(),
          value: s.value,
        };
        if (s.windowSeconds !== undefined) v.windowSeconds = s.windowSeconds;
        return v;
      });
  }
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}
