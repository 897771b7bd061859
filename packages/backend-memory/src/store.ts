import { ConfigError, configPath, groupResourceString, isClusterScoped, parseGroupResource, type GroupResource } from '@custom-metrics/core';
import type { MemoryBackendConfig } from './schema.js';

/** One object value of a custom series. */
export interface StoredObjectValue {
  value: number;
  /** Object labels, used for a label selector when the cluster view does not know the object. */
  labels: Record<string, string>;
  namespace: string;
  name: string;
}

/** One custom-metric series held in memory. */
export interface CustomSeries {
  groupResource: GroupResource;
  namespaced: boolean;
  metric: string;
  labels: Record<string, string>;
  defaultValue?: number;
  windowSeconds?: number;
  /** By `namespace/name`. */
  objects: Map<string, StoredObjectValue>;
}

/** One external series held in memory. */
export interface ExternalSeries {
  metric: string;
  labels: Record<string, string>;
  value: number;
  windowSeconds?: number;
}

const objKey = (namespace: string, name: string) => `${namespace}/${name}`;
const labelsKey = (labels: Record<string, string>) =>
  JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));

function checkFinite(value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`value must be a finite number, got ${value}`);
}

/**
 * MemoryStore holds the memory backend's series: custom series keyed by group-resource + metric
 * (+ metric labels), external series keyed by lower-cased name (+ labels).
 */
export class MemoryStore {
  readonly #custom = new Map<string, CustomSeries[]>();
  readonly #external = new Map<string, { name: string; windowSeconds?: number; series: ExternalSeries[] }>();
  #version = 0;

  /**
   * Bumped by every change made through the store's methods (`setCustom`, `setExternal`): an
   * answer computed at one version holds until the version moves.
   */
  get version(): number {
    return this.#version;
  }

  /**
   * Fills a store from the backend config, applying the schema's defaults to fields left out.
   * @throws {ConfigError} naming the field (`custom[1].objects[0].value`) for a value that is not
   *   finite, or for entries of one resource + metric that disagree on `namespaced`.
   */
  static fromConfig(config: MemoryBackendConfig): MemoryStore {
    const store = new MemoryStore();
    const finite = (value: number, path: string) => {
      if (!Number.isFinite(value)) throw new ConfigError(path, `must be a finite number, not ${String(value)}`);
      return value;
    };
    (config.custom ?? []).forEach((m, i) => {
      const path = configPath('custom', i);
      const gr = parseGroupResource(m.resource);
      const first = store.customSeries(gr, m.metric)?.[0];
      if (first && m.namespaced !== undefined && m.namespaced !== first.namespaced) {
        throw new ConfigError(configPath(path, 'namespaced'), `is ${m.namespaced}, but an earlier entry for ${m.resource} ${m.metric} is ${first.namespaced ? '' : 'not '}namespaced; give every entry of one metric the same namespaced`);
      }
      const series = store.#series(gr, m.metric, m.labels ?? {}, m.namespaced);
      if (m.default !== undefined) series.defaultValue = finite(m.default, configPath(path, 'default'));
      if (m.windowSeconds !== undefined) series.windowSeconds = m.windowSeconds;
      (m.objects ?? []).forEach((o, j) => {
        const value = finite(o.value, `${configPath(configPath(path, 'objects'), j)}.value`);
        const ns = series.namespaced ? (o.namespace ?? 'default') : '';
        series.objects.set(objKey(ns, o.name), { value, labels: { ...(o.labels ?? {}) }, namespace: ns, name: o.name });
      });
    });
    (config.external ?? []).forEach((e, i) => {
      const entry = store.#externalEntry(e.name);
      if (e.windowSeconds !== undefined) entry.windowSeconds = e.windowSeconds;
      (e.series ?? []).forEach((s, j) => store.setExternal(e.name, s.labels ?? {}, finite(s.value, `external[${i}].series[${j}].value`)));
    });
    return store;
  }

  /**
   * Whether a resource is namespaced when its config does not say: every resource but core's
   * built-in cluster-scoped ones (`isClusterScoped`: namespaces, nodes, persistentvolumes,
   * storageclasses.storage.k8s.io).
   */
  static defaultNamespaced(gr: GroupResource): boolean {
    return !isClusterScoped(gr);
  }

  /**
   * Sets the value of `metric` (series with `labels`) for one object. `namespaced` is the
   * resource's scope when the store has no series of this metric yet (default: {@link MemoryStore.defaultNamespaced}).
   * @throws {RangeError} for a value that is not finite.
   */
  setCustom(args: { groupResource: GroupResource; namespace: string; name: string; metric: string; value: number; labels?: Record<string, string>; namespaced?: boolean }): void {
    checkFinite(args.value);
    this.#version++;
    const series = this.#series(args.groupResource, args.metric, args.labels ?? {}, args.namespaced);
    const ns = series.namespaced ? args.namespace : '';
    series.objects.set(objKey(ns, args.name), { value: args.value, labels: series.objects.get(objKey(ns, args.name))?.labels ?? {}, namespace: ns, name: args.name });
  }

  /** Sets the value of the external series `metric` with `labels` (replacing one with the same labels). */
  setExternal(metric: string, labels: Record<string, string>, value: number): void {
    checkFinite(value);
    this.#version++;
    const entry = this.#externalEntry(metric);
    const key = labelsKey(labels);
    const idx = entry.series.findIndex((s) => labelsKey(s.labels) === key);
    const s: ExternalSeries = { metric: entry.name, labels: { ...labels }, value };
    if (idx >= 0) entry.series[idx] = s;
    else entry.series.push(s);
  }

  /**
   * Every custom series of a group-resource + metric (undefined when the metric is unknown). The
   * series are read-only for callers: values change through {@link setCustom}, which moves
   * {@link version}.
   */
  customSeries(gr: GroupResource, metric: string): readonly CustomSeries[] | undefined {
    return this.#custom.get(`${groupResourceString(gr)}/${metric}`);
  }

  /** Every custom metric (one per group-resource + metric). */
  customMetrics(): Array<{ groupResource: GroupResource; namespaced: boolean; metric: string }> {
    return [...this.#custom.values()].map((list) => ({ groupResource: { ...list[0].groupResource }, namespaced: list[0].namespaced, metric: list[0].metric }));
  }

  /** The external metric `metric` (case-insensitive), if known. */
  external(metric: string): { name: string; windowSeconds?: number; series: readonly ExternalSeries[] } | undefined {
    return this.#external.get(metric.toLowerCase());
  }

  /** Every external metric name (as first declared). */
  externalMetrics(): string[] {
    return [...this.#external.values()].map((e) => e.name);
  }

  #series(gr: GroupResource, metric: string, labels: Record<string, string>, namespaced?: boolean): CustomSeries {
    const key = `${groupResourceString(gr)}/${metric}`;
    const list = this.#custom.get(key) ?? [];
    const lk = labelsKey(labels);
    let series = list.find((s) => labelsKey(s.labels) === lk);
    if (!series) {
      series = {
        groupResource: { ...gr },
        namespaced: list[0]?.namespaced ?? namespaced ?? MemoryStore.defaultNamespaced(gr),
        metric,
        labels: { ...labels },
        objects: new Map(),
      };
      list.push(series);
      this.#custom.set(key, list);
    }
    return series;
  }

  #externalEntry(metric: string): { name: string; windowSeconds?: number; series: ExternalSeries[] } {
    const key = metric.toLowerCase();
    let entry = this.#external.get(key);
    if (!entry) {
      entry = { name: metric, series: [] };
      this.#external.set(key, entry);
    }
    return entry;
  }
}
