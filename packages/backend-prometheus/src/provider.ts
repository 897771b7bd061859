import { backendFailure, CachingLoader, isMetricsError, metricNotFound, NotFoundError, type MetricsError } from '@custom-metrics/core';
import type { BackendContext, BackendHealth, CustomMetricInfo, ExternalMetricInfo, ResourceInfo } from '@custom-metrics/core';
import type { PrometheusClient, Sample } from './client.js';
import type { ResolvedConfig } from './config.js';
import { DiscoveryRun, MetricRegistry, type CustomEntry, type ExternalEntry } from './discovery.js';
import { MetricNamer } from './naming/metric-namer.js';

/** Most unknown metric names remembered by the on-demand negative cache (oldest dropped first). */
const MAX_UNKNOWN = 10_000;

/** A finite sample (NaN and ±Inf are dropped before anything else sees them). */
export type FiniteSample = Sample;

/** Options of {@link PrometheusBackend}. */
export interface PrometheusBackendOptions {
  /** Clock in milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * PrometheusBackend is the one place that calls the Prometheus client: cached and coalesced
 * instant queries, and the discovery loop that fills the {@link MetricRegistry}. Serving reads
 * the registry; a metric it does not know yet is looked up on demand (at most once per
 * `onDemandMinIntervalMs`). The custom, external and resource providers are built on it.
 */
export class PrometheusBackend {
  readonly registry = new MetricRegistry();
  readonly customNamers: readonly MetricNamer[];
  readonly externalNamers: readonly MetricNamer[];
  readonly #ctx: BackendContext;
  readonly #config: ResolvedConfig;
  readonly #client: PrometheusClient;
  readonly #loader: CachingLoader<string, Sample[]>;
  readonly #now: () => number;
  #timer?: NodeJS.Timeout;
  #discovering?: Promise<void>;
  #lastOnDemand = Number.NEGATIVE_INFINITY;
  #lastDiscovery?: { at: number; error?: string };
  /** Whether some discovery run had at least one series call succeed. */
  #discoveredOnce = false;
  #closed = false;
  #resources: ResourceInfo[] = [];
  /** Negative cache of on-demand lookups: key → until when it is answered 404 at once. */
  readonly #unknown = new Map<string, number>();
  readonly #stop = new AbortController();

  constructor(ctx: BackendContext, config: ResolvedConfig, client: PrometheusClient, options: PrometheusBackendOptions = {}) {
    this.#ctx = ctx;
    this.#config = config;
    this.#client = client;
    this.#now = options.now ?? Date.now;
    this.customNamers = config.rules.map((r, i) => new MetricNamer(r, `rules[${i}]`));
    this.externalNamers = config.externalRules.map((r, i) => new MetricNamer(r, `externalRules[${i}]`, true));
    this.#loader = new CachingLoader<string, Sample[]>({
      ttlMs: config.cacheTtlMs,
      staleMs: config.serveStaleMs,
      now: this.#now,
      serveStaleOn: (e) => isMetricsError(e) && e.code === 503,
    });
  }

  /** The resolved configuration. */
  get config(): ResolvedConfig {
    return this.#config;
  }

  /** The backend's clock in milliseconds (`options.now`, default `Date.now`). */
  now(): number {
    return this.#now();
  }

  /** The backend context (kube lookup, logger, metrics). */
  get context(): BackendContext {
    return this.#ctx;
  }

  /**
   * query runs an instant query through the cache (identical queries within the TTL share one
   * call; optional serve-stale on 503) and returns only finite samples, counting the rest.
   */
  async query(promql: string, signal: AbortSignal): Promise<Sample[]> {
    const { value } = await this.load(promql, signal);
    const finite = value.filter((s) => Number.isFinite(s.value));
    if (finite.length !== value.length) this.#ctx.metrics.count('samples_dropped_nonfinite', value.length - finite.length);
    return finite;
  }

  /**
   * load is {@link query} without the finite filter: the cached answer itself (the same array for
   * every caller within the TTL) and whether this call queried Prometheus.
   */
  async load(promql: string, signal: AbortSignal): Promise<{ value: Sample[]; called: boolean }> {
    let called = false;
    const { value, stale } = await this.#loader.load(
      promql,
      (s) => {
        called = true;
        return this.#client.query(promql, s);
      },
      signal,
    );
    this.#ctx.metrics.cache(stale ? 'stale' : called ? 'miss' : 'hit');
    if (stale) this.#ctx.logger.warn({ query: promql }, 'prometheus unavailable; serving a stale value');
    return { value, called };
  }

  /**
   * The error for a metric the registry does not hold: while no discovery has reached Prometheus
   * yet ({@link pending}) nobody can tell whether it exists, so 503 (`unreachable`); then 404.
   */
  #notFound(notFound: MetricsError): MetricsError {
    const why = this.pending();
    return why === undefined ? notFound : backendFailure('unreachable', `the Prometheus backend ${this.#ctx.instanceName} cannot tell which metrics it serves: ${why}`);
  }

  /** Finds the registry entry for a custom metric, discovering on demand if allowed; 404 (503 before a first discovery) otherwise. */
  async customEntry(info: CustomMetricInfo): Promise<CustomEntry> {
    const found = this.registry.lookupCustom(info.metric, info.groupResource);
    if (found !== undefined) return found;
    const key = `c\u0000${info.metric}\u0000${info.groupResource.resource}.${info.groupResource.group}`;
    if (await this.#onDemand(key)) {
      const again = this.registry.lookupCustom(info.metric, info.groupResource);
      if (again !== undefined) return again;
    }
    throw this.#notFound(metricNotFound(info.groupResource, info.metric));
  }

  /** Finds the registry entry for an external metric (case-insensitive); 404 (503 before a first discovery) otherwise. */
  async externalEntry(info: ExternalMetricInfo): Promise<ExternalEntry> {
    const found = this.registry.lookupExternal(info.metric);
    if (found !== undefined) return found;
    const key = `e\u0000${info.metric.toLowerCase()}`;
    if (await this.#onDemand(key)) {
      const again = this.registry.lookupExternal(info.metric);
      if (again !== undefined) return again;
    }
    throw this.#notFound(new NotFoundError(`the server could not find the external metric ${info.metric}`));
  }

  /**
   * Whether an on-demand relist ran for an unknown metric `key`, bounded so a flood of unknown
   * names cannot stall requests: a name still unknown after an on-demand lookup is answered at once
   * for `onDemandMinIntervalMs` (negative cache, at most {@link MAX_UNKNOWN} names); all callers
   * share one relist (coalesced), started at most once per `onDemandMinIntervalMs`; and a caller
   * waits for it at most `onDemandWaitMs` — the relist goes on and serves later requests.
   */
  async #onDemand(key: string): Promise<boolean> {
    if (!this.#config.onDemand || this.#closed) return false;
    const now = this.#now();
    const until = this.#unknown.get(key);
    if (until !== undefined && until > now) {
      this.#ctx.metrics.count('discovery_on_demand_cached_unknown');
      return false;
    }
    if (this.#discovering === undefined) {
      if (now - this.#lastOnDemand < this.#config.onDemandMinIntervalMs) return false;
      this.#lastOnDemand = now;
      this.#ctx.metrics.count('discovery_on_demand');
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.#config.onDemandWaitMs);
      timer.unref();
    });
    try {
      const done = this.discover().then(
        () => true,
        () => false,
      );
      const ok = await Promise.race([done, waited]);
      if (!ok) this.#ctx.metrics.count('discovery_on_demand_unfinished');
      // Only consulted when the registry does not know the metric, so a hit is never hidden.
      this.#rememberUnknown(key);
      return ok;
    } finally {
      clearTimeout(timer);
    }
  }

  #rememberUnknown(key: string): void {
    this.#unknown.delete(key);
    this.#unknown.set(key, this.#now() + this.#config.onDemandMinIntervalMs);
    if (this.#unknown.size > MAX_UNKNOWN) this.#unknown.delete(this.#unknown.keys().next().value as string);
  }

  /**
   * discover runs one relist of every rule (concurrent callers share it). Rules with the same
   * `seriesQuery` share one `/api/v1/series` call; series are processed as they stream in.
   * Rejects only when every series call failed.
   */
  discover(): Promise<void> {
    this.#discovering ??= this.#discover().finally(() => {
      this.#discovering = undefined;
    });
    return this.#discovering;
  }

  async #discover(): Promise<void> {
    const started = this.#now();
    const run = new DiscoveryRun(started);
    const byQuery = new Map<string, Array<{ external: boolean; index: number }>>();
    const add = (q: string, external: boolean, index: number) => {
      const l = byQuery.get(q) ?? [];
      l.push({ external, index });
      byQuery.set(q, l);
    };
    this.customNamers.forEach((n, i) => add(n.seriesQuery, false, i));
    this.externalNamers.forEach((n, i) => add(n.seriesQuery, true, i));
    const range = { start: new Date(started - this.#config.lookbackMs), end: new Date(started) };
    const errors: string[] = [];
    for (const [q, users] of byQuery) {
      const signal = AbortSignal.any([this.#ctx.signal, this.#stop.signal]);
      try {
        await this.#client.series(
          [q],
          range,
          (labels, names) => {
            for (const u of users) {
              if (u.external) run.addExternalSeries(u.index, this.externalNamers[u.index], labels);
              else run.addCustomSeries(u.index, this.customNamers[u.index], labels, names);
            }
          },
          signal,
        );
        for (const u of users) (u.external ? run.okExternalRules : run.okCustomRules).add(u.index);
      } catch (e) {
        errors.push(`${q}: ${e instanceof Error ? e.message : String(e)}`);
        this.#ctx.metrics.count('discovery_errors');
      }
    }
    const custom = run.customEntries(this.customNamers, await this.#clusterResources());
    this.registry.apply(run, custom, this.#config.maxAgeMs);
    this.#ctx.metrics.gauge('discovered_metrics', this.registry.customCount);
    this.#ctx.metrics.gauge('discovered_external_metrics', this.registry.externalCount);
    this.#ctx.metrics.gauge('discovery_series', run.seriesSeen);
    const seconds = (this.#now() - started) / 1000;
    if (errors.length < byQuery.size || byQuery.size === 0) this.#discoveredOnce = true;
    if (errors.length > 0) {
      this.#lastDiscovery = { at: started, error: `${errors.length} of ${byQuery.size} series queries failed` };
      this.#ctx.logger.warn({ errors, seconds }, 'discovery incomplete');
      if (errors.length === byQuery.size && byQuery.size > 0) throw new Error('discovery failed: Prometheus unavailable');
    } else {
      this.#lastDiscovery = { at: started };
      this.#ctx.logger.debug(
        { seconds, series: run.seriesSeen, custom: this.registry.customCount, external: this.registry.externalCount },
        'discovery done',
      );
    }
  }

  /**
   * The cluster's resource types (from the server's periodically refreshed discovery), fetched
   * once per relist; when the lookup fails, the last list that loaded (empty before the first).
   */
  async #clusterResources(): Promise<ResourceInfo[]> {
    try {
      this.#resources = await this.#ctx.kube.resources();
    } catch (e) {
      this.#ctx.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'listing the cluster\'s resources failed; using the last list');
    }
    return this.#resources;
  }

  /** Runs a first discovery (a failure is logged, not thrown) and starts the relist timer. */
  async start(): Promise<void> {
    try {
      await this.discover();
    } catch (e) {
      this.#ctx.logger.warn({ err: String(e) }, 'first discovery failed; will retry');
    }
    if (this.#closed) return;
    this.#timer = setInterval(() => {
      this.discover().catch(() => undefined);
    }, this.#config.discoveryIntervalMs);
    this.#timer.unref();
  }

  /** Stops the relist timer and releases the client's sockets. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#stop.abort(new Error('backend closed'));
    await this.#discovering?.catch(() => undefined);
    this.#client.close();
  }

  /**
   * Why the metrics served are not known yet: until one discovery run has had a series call
   * succeed (Prometheus unreachable since start-up), the reason; afterwards `undefined`.
   */
  pending(): string | undefined {
    if (this.#discoveredOnce) return undefined;
    const last = this.#lastDiscovery?.error;
    return last === undefined ? 'its first metric discovery has not finished yet' : `its metric discovery has not succeeded yet (${last}: Prometheus unreachable)`;
  }

  /** Healthy once a discovery has completed without errors. */
  health(): BackendHealth {
    if (this.#lastDiscovery === undefined) return { healthy: false, message: 'discovery has not completed yet' };
    if (this.#lastDiscovery.error !== undefined) return { healthy: false, message: this.#lastDiscovery.error };
    return { healthy: true, message: `${this.registry.customCount} custom, ${this.registry.externalCount} external metrics` };
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, preserving order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
