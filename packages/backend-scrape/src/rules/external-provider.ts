import {
  NotFoundError,
  type ExternalMetricInfo,
  type ExternalMetricsProvider,
  type ExternalMetricValue,
  type GetExternalMetricRequest,
} from '@custom-metrics/core';
import type { CompiledRule } from '../config.js';
import type { SeriesStore } from '../window/series-store.js';
import { evaluateRule, reportedWindowSeconds } from './evaluate-rule.js';

/** Dependencies of {@link ScrapeExternalProvider}. */
export interface ScrapeExternalProviderDeps {
  rules: readonly CompiledRule[];
  store: SeriesStore;
  now?: () => number;
}

/**
 * ScrapeExternalProvider serves external.metrics.k8s.io: one item per series of the rule that the
 * request's selector matches, with the series' labels as `metricLabels`. A series whose namespace
 * label names another namespace than the request's is never served unless the rule sets
 * `namespaced: false`.
 */
export class ScrapeExternalProvider implements ExternalMetricsProvider {
  /** Answers from the scraped series in memory (core's `answersFromMemory`). */
  readonly answersFromMemory = true;
  readonly #rules: CompiledRule[];
  readonly #now: () => number;

  constructor(readonly deps: ScrapeExternalProviderDeps) {
    this.#rules = deps.rules.filter((r) => r.kind === 'external');
    this.#now = deps.now ?? Date.now;
  }

  listAllExternalMetrics(): ExternalMetricInfo[] {
    return this.#rules.map((r) => ({ metric: r.metric }));
  }

  async getExternalMetric(req: GetExternalMetricRequest): Promise<ExternalMetricValue[]> {
    req.signal.throwIfAborted();
    const name = req.info.metric.toLowerCase();
    const rule = this.#rules.find((r) => r.metric.toLowerCase() === name);
    if (!rule) throw new NotFoundError(`the server could not find the external metric ${req.info.metric}`);
    const window = reportedWindowSeconds(rule);
    return evaluateRule(this.deps.store, rule, this.#now(), (l) => {
      const ns = l[rule.namespaceLabel];
      // Namespaced by default: a series of another namespace is never served (security property).
      if (rule.namespacedExternal && ns !== req.namespace) return false;
      if (rule.namespaced && ns !== undefined && ns !== req.namespace) return false;
      return req.metricSelector.matches(l as Record<string, string>);
    }).map((s) => ({
      metricName: rule.metric,
      metricLabels: { ...s.labels },
      timestamp: new Date(s.timestampMs),
      ...(window !== undefined ? { windowSeconds: window } : {}),
      value: s.value,
    }));
  }
}
