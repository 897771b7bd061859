// The custom and external providers: the one place that calls the InfluxDB clients. Each call
// goes through a CachingLoader (TTL cache + coalescing of identical queries); backend failures
// are logged with their detail and surface as 503 (or 500 for a broken query template).
import {
  backendFailure,
  CachingLoader,
  isMetricsError,
  metricNotFound,
  metricNotFoundFor,
  metricNotFoundForSelector,
  metricSelectorOf,
  objectReference,
} from '@custom-metrics/core';
import type {
  BackendContext,
  BackendHealth,
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricInfo,
  ExternalMetricValue,
  ExternalMetricsProvider,
  GetExternalMetricRequest,
  GetMetricByNameRequest,
  GetMetricBySelectorRequest,
  KubeObject,
  LabelSelector,
  MetricValue,
  Selector,
} from '@custom-metrics/core';
import type { InfluxQueryClient, InfluxRow } from './client/types.js';
import type { ResolvedCustomRule, ResolvedExternalRule, ResolvedInfluxConfig } from './config.js';
import { isInfluxQueryError } from './errors.js';
import { buildCustomQuery, buildExternalQuery } from './query/build.js';
import { latestBySeries, latestByTag, type DropReason, type Sample } from './results.js';

/** The group-resource named in external-metric not-found errors. */
const EXTERNAL_GR = { group: '', resource: 'namespaces' } as const;

/**
 * InfluxQueryRunner runs query texts through a client with caching, coalescing, self-metrics
 * and error translation. Shared by both providers of one backend instance.
 */
export class InfluxQueryRunner {
  readonly #ctx: BackendContext;
  readonly #client: InfluxQueryClient;
  readonly #loader: CachingLoader<string, InfluxRow[]>;
  #lastFailure: string | undefined;

  constructor(ctx: BackendContext, client: InfluxQueryClient, config: Pick<ResolvedInfluxConfig, 'cacheTtlMs' | 'cacheStaleMs'>) {
    this.#ctx = ctx;
    this.#client = client;
    this.#loader = new CachingLoader({
      ttlMs: config.cacheTtlMs,
      staleMs: config.cacheStaleMs,
      serveStaleOn: (e) => isInfluxQueryError(e) && e.kind === 'unavailable',
    });
  }

  /** Runs `text` (or reuses a fresh result of the same text). Throws MetricsErrors or the caller's abort reason. */
  async run(text: string, valueColumn: string | undefined, signal: AbortSignal): Promise<InfluxRow[]> {
    signal.throwIfAborted();
    let called = false;
    try {
      const result = await this.#loader.load(
        `${valueColumn ?? ''}\u0000${text}`,
        async (s) => {
          called = true;
          const started = performance.now();
          try {
            const rows = await this.#client.query(text, { signal: s, ...(valueColumn !== undefined ? { valueColumn } : {}) });
            this.#ctx.metrics.observeCall('query', (performance.now() - started) / 1000, 'success', text);
            this.#lastFailure = undefined;
            return rows;
          } catch (e) {
            if (!s.aborted) this.#ctx.metrics.observeCall('query', (performance.now() - started) / 1000, 'error', text);
            throw e;
          }
        },
        signal,
      );
      this.#ctx.metrics.cache(result.stale ? 'stale' : called ? 'miss' : 'hit');
      return result.value;
    } catch (e) {
      if (signal.aborted || isMetricsError(e)) throw e;
      const detail = isInfluxQueryError(e) ? e.message : String((e as Error)?.message ?? e);
      this.#ctx.logger.warn({ backend: this.#ctx.instanceName, err: detail, query: text }, 'InfluxDB query failed');
      if (isInfluxQueryError(e) && e.kind === 'query') {
        throw backendFailure('rejected', `the InfluxDB backend ${this.#ctx.instanceName} could not run the metric query; check the rule's query (the server log has InfluxDB's answer)`);
      }
      this.#lastFailure = 'the last query failed: InfluxDB unavailable';
      throw backendFailure('unreachable', `the InfluxDB backend ${this.#ctx.instanceName} is unavailable`);
    }
  }

  /** Healthy unless the last query found InfluxDB unavailable. */
  health(): BackendHealth {
    return this.#lastFailure === undefined ? { healthy: true } : { healthy: false, message: this.#lastFailure };
  }

  /** Counts a dropped row as a self-metric. */
  dropped(reason: DropReason): void {
    this.#ctx.metrics.count(reason === 'nan' ? 'samples_dropped_nan' : 'samples_dropped_null');
  }

  /** Forgets cached results. */
  clear(): void {
    this.#loader.clear();
  }
}

/** Serves custom.metrics.k8s.io from InfluxDB through the configured rules. */
export class InfluxCustomProvider implements CustomMetricsProvider {
  readonly #ctx: BackendContext;
  readonly #config: ResolvedInfluxConfig;
  readonly #runner: InfluxQueryRunner;

  constructor(ctx: BackendContext, config: ResolvedInfluxConfig, runner: InfluxQueryRunner) {
    this.#ctx = ctx;
    this.#config = config;
    this.#runner = runner;
  }

  listAllMetrics(): CustomMetricInfo[] {
    return this.#config.custom.map((r) => ({ groupResource: { ...r.groupResource }, namespaced: r.namespaced, metric: r.metric }));
  }

  async getMetricBySelector(req: GetMetricBySelectorRequest): Promise<MetricValue[]> {
    req.signal.throwIfAborted();
    const rule = this.#rule(req.info);
    const objects = await this.#ctx.kube.listObjects(req.info.groupResource, req.namespace, req.selector);
    if (objects.length === 0) return [];
    const samples = await this.#query(rule, req.namespace, [...new Set(objects.map((o) => o.name))], req.metricSelector, req.signal);
    const selector = metricSelectorOf(req.metricSelector);
    const out: MetricValue[] = [];
    for (const o of objects) {
      const s = samples.get(o.name);
      if (s !== undefined) out.push(metricValue(o, rule, s, selector));
    }
    return out;
  }

  async getMetricByName(req: GetMetricByNameRequest): Promise<MetricValue> {
    req.signal.throwIfAborted();
    const rule = this.#rule(req.info);
    const gr = req.info.groupResource;
    const object = await this.#ctx.kube.getObject(gr, req.namespace, req.name);
    if (object === undefined) throw metricNotFoundFor(gr, req.info.metric, req.name);
    const samples = await this.#query(rule, req.namespace, [req.name], req.metricSelector, req.signal);
    const s = samples.get(req.name);
    if (s === undefined) {
      throw req.metricSelector.isEmpty()
        ? metricNotFoundFor(gr, req.info.metric, req.name)
        : metricNotFoundForSelector(gr, req.info.metric, req.name, req.metricSelector);
    }
    return metricValue(object, rule, s, metricSelectorOf(req.metricSelector));
  }

  #rule(info: CustomMetricInfo): ResolvedCustomRule {
    const gr = info.groupResource;
    const rule = this.#config.custom.find((r) => r.metric === info.metric && r.groupResource.resource === gr.resource && r.groupResource.group === gr.group);
    if (rule === undefined) throw metricNotFound(gr, info.metric);
    return rule;
  }

  async #query(rule: ResolvedCustomRule, namespace: string, names: string[], metricSelector: Selector, signal: AbortSignal): Promise<Map<string, Sample>> {
    const text = buildCustomQuery({
      mode: this.#config.mode,
      template: rule.query,
      window: rule.window,
      ...(this.#config.bucket !== undefined ? { bucket: this.#config.bucket } : {}),
      namespace,
      ...(rule.namespaced && rule.namespaceTag !== undefined ? { namespaceTag: rule.namespaceTag } : {}),
      objectTag: rule.objectTag,
      names,
      metricSelector,
    });
    const rows = await this.#runner.run(text, rule.valueColumn, signal);
    return latestByTag(rows, rule.objectTag, (r) => this.#runner.dropped(r));
  }
}

/** Serves external.metrics.k8s.io from InfluxDB through the configured rules. */
export class InfluxExternalProvider implements ExternalMetricsProvider {
  readonly #config: ResolvedInfluxConfig;
  readonly #runner: InfluxQueryRunner;

  constructor(config: ResolvedInfluxConfig, runner: InfluxQueryRunner) {
    this.#config = config;
    this.#runner = runner;
  }

  listAllExternalMetrics(): ExternalMetricInfo[] {
    return this.#config.external.map((r) => ({ metric: r.metric }));
  }

  async getExternalMetric(req: GetExternalMetricRequest): Promise<ExternalMetricValue[]> {
    req.signal.throwIfAborted();
    const wanted = req.info.metric.toLowerCase();
    const rule: ResolvedExternalRule | undefined = this.#config.external.find((r) => r.metric.toLowerCase() === wanted);
    if (rule === undefined) throw metricNotFound(EXTERNAL_GR, req.info.metric);
    const text = buildExternalQuery({
      mode: this.#config.mode,
      template: rule.query,
      window: rule.window,
      ...(this.#config.bucket !== undefined ? { bucket: this.#config.bucket } : {}),
      namespace: req.namespace,
      ...(rule.namespaced ? { namespaceTag: rule.namespaceTag } : {}),
      metricSelector: req.metricSelector,
    });
    const all = await this.#runner.run(text, rule.valueColumn, req.signal);
    // Security: a row of another namespace is never served, whatever the query template does.
    const rows = rule.namespaced ? all.filter((r) => ofNamespace(r.labels[rule.namespaceTag], req.namespace)) : all;
    return latestBySeries(rows, (r) => this.#runner.dropped(r)).map((s) => ({
      metricName: req.info.metric,
      metricLabels: Object.keys(s.labels).length > 0 ? { ...s.labels } : null,
      timestamp: s.time !== undefined ? new Date(s.time) : new Date(),
      value: s.value,
    }));
  }
}

/** Whether a row whose namespace tag is `tag` (undefined: no such tag) may be served to `namespace`. */
function ofNamespace(tag: string | undefined, namespace: string): boolean {
  return tag === undefined || tag === namespace;
}

function metricValue(o: KubeObject, rule: ResolvedCustomRule, s: Sample, selector: LabelSelector | null): MetricValue {
  return {
    describedObject: objectReference(o.gvk, o.namespace, o.name),
    metric: { name: rule.metric, selector },
    timestamp: s.time !== undefined ? new Date(s.time) : new Date(),
    value: s.value,
  };
}
