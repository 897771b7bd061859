import { isMetricsError, isResponseTooLargeError } from '@custom-metrics/core';
import type { Sample } from './client.js';
import type { MergedBuildArgs, MetricsQuery } from './naming/metrics-query.js';
import { queryRequestBytes } from './naming/metrics-query.js';
import type { PrometheusBackend } from './provider.js';

/** Most merged queries remembered as falling back (oldest dropped first). */
const MAX_FALLBACKS = 10_000;

/** Finds the sample of one object in a merged answer. */
export type MergedLookup = (namespace: string, name: string) => Sample | undefined;

/** A merged answer's finite samples by namespace (`""` for cluster-scoped resources), then object name. */
export type MergedIndex = Map<string, Map<string, Sample>>;

/**
 * indexMergedAnswer keys a merged answer's finite samples by (namespace, name), read from the
 * namespace label (absent for cluster-scoped resources) and the resource label. Samples missing
 * the resource label are skipped (no object has an empty name). Pure.
 */
export function indexMergedAnswer(samples: readonly Sample[], resourceLabel: string, namespaceLabel: string | undefined): { index: MergedIndex; dropped: number } {
  const index: MergedIndex = new Map();
  let dropped = 0;
  for (const s of samples) {
    if (!Number.isFinite(s.value)) {
      dropped++;
      continue;
    }
    const name = s.labels[resourceLabel];
    if (name === undefined || name === '') continue;
    const ns = namespaceLabel === undefined ? '' : (s.labels[namespaceLabel] ?? '');
    let names = index.get(ns);
    if (names === undefined) index.set(ns, (names = new Map()));
    names.set(name, s);
  }
  return { index, dropped };
}

/**
 * MergedQueries answers custom-metric requests from one merged query per metric and cache window
 * (`query.coalesce`): the rule's template rendered for every object of the metric (no namespace
 * value, no object names; grouped by namespace and object), loaded through the backend's cache so
 * every request for that metric (and metric selector) within `cache.ttl` of the answer — or while
 * it is in flight — shares it, and filtered per request. A merged query that cannot be used — its
 * request would pass `query.maxRequestBytes`, Prometheus rejects it, its answer passes
 * `maxResponseBytes` or holds more than `query.coalesceMaxSeries` series — sends that metric back
 * to per-request queries for `discovery.interval`, logged once each time.
 */
export class MergedQueries {
  readonly #backend: PrometheusBackend;
  /** Merged query → until when it is not used (per-request queries instead). */
  readonly #fallback = new Map<string, number>();
  /** Index of each cached answer (the loader returns the same array within its TTL). */
  readonly #indexes = new WeakMap<Sample[], MergedIndex>();

  constructor(backend: PrometheusBackend) {
    this.#backend = backend;
  }

  /**
   * The merged answer for `args` as a lookup by object, or `undefined` when the request must be
   * answered per request: coalescing off, a template that does not qualify, or this metric in
   * its fallback period. Errors other than the fallback causes (Prometheus unreachable, a timeout…)
   * are thrown as the per-request query would throw them.
   */
  async lookup(query: MetricsQuery, args: MergedBuildArgs, signal: AbortSignal): Promise<MergedLookup | undefined> {
    const cfg = this.#backend.config;
    if (!cfg.coalesce || !query.coalescible) return undefined;
    const merged = query.buildMerged(args);
    const until = this.#fallback.get(merged.promql);
    if (until !== undefined) {
      if (until > this.#backend.now()) return undefined;
      this.#fallback.delete(merged.promql);
    }
    if (queryRequestBytes(merged.promql, cfg.method) > cfg.maxRequestBytes) {
      this.#fallBack(merged.promql, `its request would be larger than query.maxRequestBytes (${cfg.maxRequestBytes} bytes)`);
      return undefined;
    }
    const metrics = this.#backend.context.metrics;
    let value: Sample[];
    try {
      const loaded = await this.#backend.load(merged.promql, signal);
      value = loaded.value;
      if (loaded.called) metrics.count('coalesce_queries');
    } catch (e) {
      if (signal.aborted) throw e;
      if (isResponseTooLargeError(e)) {
        this.#fallBack(merged.promql, `its answer is larger than maxResponseBytes (${cfg.maxResponseBytes} bytes)`);
        return undefined;
      }
      if (isMetricsError(e) && e.code === 500) {
        this.#fallBack(merged.promql, 'Prometheus rejected it');
        return undefined;
      }
      throw e;
    }
    let index = this.#indexes.get(value);
    if (index === undefined) {
      const built = indexMergedAnswer(value, merged.resourceLabel, merged.namespaceLabel);
      index = built.index;
      this.#indexes.set(value, index);
      if (built.dropped > 0) metrics.count('samples_dropped_nonfinite', built.dropped);
      // This answer is right and used; later windows query per request while the cluster is this big.
      if (value.length > cfg.coalesceMaxSeries) this.#fallBack(merged.promql, `its answer holds ${value.length} series, more than query.coalesceMaxSeries (${cfg.coalesceMaxSeries})`);
    }
    metrics.count('coalesce_answers');
    const found = index;
    return (namespace, name) => found.get(namespace)?.get(name);
  }

  #fallBack(promql: string, reason: string): void {
    const retryMs = this.#backend.config.discoveryIntervalMs;
    this.#fallback.delete(promql);
    this.#fallback.set(promql, this.#backend.now() + retryMs);
    if (this.#fallback.size > MAX_FALLBACKS) this.#fallback.delete(this.#fallback.keys().next().value as string);
    this.#backend.context.metrics.count('coalesce_fallbacks');
    this.#backend.context.logger.warn(
      { query: promql, retryAfterSeconds: retryMs / 1000 },
      `merged query not used: ${reason}; this metric is queried per request until the retry`,
    );
  }
}
