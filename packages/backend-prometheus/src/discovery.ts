import type { CustomMetricInfo, ExternalMetricInfo, GroupResource, ResourceInfo } from '@custom-metrics/core';
import type { MetricNamer } from './naming/metric-namer.js';
import type { LabelResource } from './naming/resource-converter.js';
import { grKey, isRootScoped, NAMESPACES, pluralize } from './naming/resource-names.js';
import { labelNamesKey } from './series-stream.js';

/** Whether `gr` is namespaced: from discovery when listed, else not for the built-in root-scoped ones. */
function scoped(gr: GroupResource, known: readonly ResourceInfo[]): boolean {
  const r = known.find((x) => x.group === gr.group && x.resource === gr.resource);
  return r !== undefined ? r.namespaced : !isRootScoped(gr);
}

/**
 * resolveLabelResource maps a label read back through a `resources.template` to a resource the
 * cluster serves, as prometheus-adapter's RESTMapper does: the label's resource part matches a
 * resource's singular or plural name (case-insensitive), and — when the template has `.Group` —
 * the label's group part matches the group with `.` and `-` as `_`. The core group wins, then
 * the order of `resources` (discovery's). Undefined when nothing matches. Pure.
 */
export function resolveLabelResource(label: LabelResource, resources: readonly ResourceInfo[]): GroupResource | undefined {
  if (label.exact) return label.resource;
  const name = label.name.toLowerCase();
  const plural = pluralize(name);
  const hits = resources.filter(
    (r) =>
      (r.singular.toLowerCase() === name || r.resource === name || r.resource === plural) &&
      (!label.groupKnown || r.group.replace(/[.-]/g, '_') === label.groupText),
  );
  const hit = hits.find((r) => r.group === '') ?? hits[0];
  return hit === undefined ? undefined : { group: hit.group, resource: hit.resource };
}

/**
 * The labels of a series (other than `__name__`) that may name a resource under `namer`'s rule,
 * sorted, and their comma-joined key: the per-series naming work that {@link DiscoveryRun} caches
 * per label-name set. Pure.
 */
export function resourceCandidates(namer: MetricNamer, labels: Record<string, string>): { labels: string[]; key: string } {
  const cand: string[] = [];
  for (const l of Object.keys(labels)) if (l !== '__name__' && namer.resources.resourceForLabel(l) !== undefined) cand.push(l);
  cand.sort();
  return { labels: cand, key: cand.join(',') };
}

/** What the registry knows about one served custom metric on one resource. */
export interface CustomEntry {
  readonly info: CustomMetricInfo;
  /** The Prometheus series name behind the API name. */
  readonly series: string;
  /** Index into the custom rules. */
  readonly rule: number;
  lastSeen: number;
}

/** What the registry knows about one served external metric. */
export interface ExternalEntry {
  readonly info: ExternalMetricInfo;
  readonly series: string;
  readonly rule: number;
  lastSeen: number;
}

interface PendingCustom {
  rule: number;
  metric: string;
  series: string;
  /** Labels of the series that may name resources (candidates from the rule's converter). */
  labels: string[];
}

/** A series name a custom rule keeps: its API metric name and the label-name signatures seen with it. */
interface KeptName {
  readonly metric: string;
  readonly shapes: Set<string>;
}

/** A series name a rule drops (a filter or `name.matches` rejects it, or its API name is empty). */
const DROPPED = null;

/** The resource-label candidates of one label-name set under one rule, sorted, and their key. */
interface Candidates {
  readonly labels: string[];
  readonly key: string;
}

/**
 * DiscoveryRun accumulates one relist: series are reduced as they stream in to (rule, metric,
 * series name, resource-label set) tuples, so memory is proportional to distinct metrics and
 * label shapes, never to the number of series. The naming work is done once per (rule, series
 * name) and once per (rule, label-name set); every other series costs a lookup or two.
 */
export class DiscoveryRun {
  readonly #custom = new Map<string, PendingCustom>();
  readonly #external = new Map<string, ExternalEntry>();
  /** Per custom rule: series name → what the rule makes of it. */
  readonly #customNames: Array<Map<string, KeptName | typeof DROPPED>> = [];
  /** Per custom rule: label-name signature → its resource-label candidates. */
  readonly #candidates: Array<Map<string, Candidates>> = [];
  /** Per external rule: series names already handled. */
  readonly #externalNames: Array<Set<string>> = [];
  /** Rules whose series call succeeded (only their stale entries may be evicted). */
  readonly okCustomRules = new Set<number>();
  readonly okExternalRules = new Set<number>();
  seriesSeen = 0;

  constructor(readonly now: number) {}

  /**
   * Adds one series returned for custom rule `rule` (always with the same `namer`). `names` is
   * the series' label-name signature (`labelNamesKey` of its label names, as the series parser
   * hands it); computed from `labels` when not given.
   */
  addCustomSeries(rule: number, namer: MetricNamer, labels: Record<string, string>, names?: string): void {
    this.seriesSeen++;
    const name = labels.__name__;
    if (name === undefined) return;
    const byName = (this.#customNames[rule] ??= new Map());
    let kept = byName.get(name);
    if (kept === undefined) {
      const metric = namer.keepSeries(name) ? namer.metricNameFor(name) : undefined;
      kept = metric === undefined || metric === '' ? DROPPED : { metric, shapes: new Set() };
      byName.set(name, kept);
    }
    if (kept === DROPPED) return;
    const shape = names ?? labelNamesKey(Object.keys(labels));
    if (kept.shapes.has(shape)) return;
    kept.shapes.add(shape);
    const byShape = (this.#candidates[rule] ??= new Map());
    let cand = byShape.get(shape);
    if (cand === undefined) {
      cand = resourceCandidates(namer, labels);
      byShape.set(shape, cand);
    }
    const key = `${rule}\u0000${name}\u0000${cand.key}`;
    if (!this.#custom.has(key)) this.#custom.set(key, { rule, metric: kept.metric, series: name, labels: cand.labels });
  }

  /** Adds one series returned for external rule `rule` (always with the same `namer`). */
  addExternalSeries(rule: number, namer: MetricNamer, labels: Record<string, string>): void {
    this.seriesSeen++;
    const name = labels.__name__;
    if (name === undefined) return;
    const seen = (this.#externalNames[rule] ??= new Set());
    if (seen.has(name)) return;
    seen.add(name);
    if (!namer.keepSeries(name)) return;
    const metric = namer.metricNameFor(name);
    if (metric === undefined || metric === '') return;
    const key = metric.toLowerCase();
    if (!this.#external.has(key)) this.#external.set(key, { info: { metric }, series: name, rule, lastSeen: this.now });
  }

  /**
   * Resolves the collected label sets into custom metric entries: override targets are trusted,
   * template-derived labels are resolved against `resources` (the cluster's, from discovery).
   */
  customEntries(namers: readonly MetricNamer[], known: readonly ResourceInfo[]): CustomEntry[] {
    const out: CustomEntry[] = [];
    for (const p of this.#custom.values()) {
      const conv = namers[p.rule].resources;
      const resources: GroupResource[] = [];
      for (const l of p.labels) {
        const r = conv.resourceForLabel(l);
        const gr = r === undefined ? undefined : resolveLabelResource(r, known);
        if (gr !== undefined && !resources.some((x) => grKey(x) === grKey(gr))) resources.push(gr);
      }
      const namespaced = resources.some((r) => grKey(r) === grKey(NAMESPACES));
      for (const gr of resources) {
        out.push({
          info: { groupResource: gr, namespaced: namespaced && scoped(gr, known), metric: p.metric },
          series: p.series,
          rule: p.rule,
          lastSeen: this.now,
        });
      }
    }
    return out;
  }

  externalEntries(): ExternalEntry[] {
    return [...this.#external.values()];
  }

  /** Distinct (rule, series, label-shape) tuples held: the run's memory footprint. */
  get size(): number {
    return this.#custom.size + this.#external.size;
  }
}

/**
 * MetricRegistry is what serving reads: the custom and external metrics known now. Discovery
 * merges each run in; a metric absent from successful runs for longer than `maxAgeMs` is dropped.
 * When two rules yield the same metric the earlier rule wins.
 */
export class MetricRegistry {
  readonly #custom = new Map<string, CustomEntry>();
  readonly #external = new Map<string, ExternalEntry>();

  static customKey(metric: string, gr: GroupResource): string {
    return `${metric}\u0000${grKey(gr)}`;
  }

  lookupCustom(metric: string, gr: GroupResource): CustomEntry | undefined {
    return this.#custom.get(MetricRegistry.customKey(metric, gr));
  }

  lookupExternal(metric: string): ExternalEntry | undefined {
    return this.#external.get(metric.toLowerCase());
  }

  listCustom(): CustomMetricInfo[] {
    return [...this.#custom.values()].map((e) => e.info);
  }

  listExternal(): ExternalMetricInfo[] {
    return [...this.#external.values()].map((e) => e.info);
  }

  get customCount(): number {
    return this.#custom.size;
  }

  get externalCount(): number {
    return this.#external.size;
  }

  /** Merges a finished run and evicts entries of successful rules unseen for `maxAgeMs`. */
  apply(run: DiscoveryRun, custom: readonly CustomEntry[], maxAgeMs: number): void {
    const fresh = new Map<string, CustomEntry>();
    for (const e of custom) {
      const k = MetricRegistry.customKey(e.info.metric, e.info.groupResource);
      const prev = fresh.get(k);
      if (prev === undefined || e.rule < prev.rule) fresh.set(k, e);
    }
    for (const [k, e] of fresh) {
      const old = this.#custom.get(k);
      if (old !== undefined && old.rule === e.rule && old.series === e.series && old.info.namespaced === e.info.namespaced) old.lastSeen = run.now;
      else if (old === undefined || e.rule <= old.rule || !run.okCustomRules.has(old.rule)) this.#custom.set(k, e);
    }
    for (const e of run.externalEntries()) {
      const k = e.info.metric.toLowerCase();
      const old = this.#external.get(k);
      if (old !== undefined && old.rule < e.rule) continue;
      if (old !== undefined && old.rule === e.rule && old.series === e.series) old.lastSeen = run.now;
      else this.#external.set(k, e);
    }
    for (const [k, e] of this.#custom) {
      if (run.okCustomRules.has(e.rule) && run.now - e.lastSeen > maxAgeMs) this.#custom.delete(k);
    }
    for (const [k, e] of this.#external) {
      if (run.okExternalRules.has(e.rule) && run.now - e.lastSeen > maxAgeMs) this.#external.delete(k);
    }
  }
}
