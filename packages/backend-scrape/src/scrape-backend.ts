import { Selector, type BackendContext, type BackendHealth, type BackendInstance } from '@custom-metrics/core';
import { resolveConfig, type ResolvedConfig, type ResolvedTarget, type ScrapeBackendConfig } from './config.js';
import { ScrapeCustomProvider } from './rules/custom-provider.js';
import { ScrapeExternalProvider } from './rules/external-provider.js';
import { KubeObjectSource, StaticPodSource } from './rules/object-source.js';
import { podTargets } from './scrape/pod-targets.js';
import { Scraper } from './scrape/scraper.js';
import { SeriesStore } from './window/series-store.js';

/** Most samples kept per series, whatever the window/interval ratio. */
export const MAX_RING_CAPACITY = 4096;

/** Options for tests: a clock. */
export interface ScrapeBackendOptions {
  now?: () => number;
}

/**
 * ScrapeBackend is one instance of the scrape backend: it scrapes static and annotated-pod targets
 * into an in-memory {@link SeriesStore} and serves the configured rules as custom and external
 * metrics. Memory is bounded by `maxSeries` × ring capacity (the longest window over the shortest
 * interval, plus two, at most {@link MAX_RING_CAPACITY}).
 */
export class ScrapeBackend implements BackendInstance {
  readonly config: ResolvedConfig;
  readonly store: SeriesStore;
  readonly scraper: Scraper;
  readonly custom?: ScrapeCustomProvider;
  readonly external?: ScrapeExternalProvider;
  readonly #ctx: BackendContext;
  readonly #now: () => number;
  #podTargets: ResolvedTarget[] = [];
  #discoveryTimer?: ReturnType<typeof setInterval>;
  #sweepTimer?: ReturnType<typeof setInterval>;
  #closed = false;
  #discoveryError?: string;

  constructor(ctx: BackendContext, config: ScrapeBackendConfig, options: ScrapeBackendOptions = {}) {
    this.#ctx = ctx;
    this.#now = options.now ?? Date.now;
    const cfg = resolveConfig(config, (message) => ctx.logger.warn({ backend: ctx.instanceName }, message));
    this.config = cfg;
    const minInterval = Math.min(cfg.intervalMs, ...cfg.staticTargets.map((t) => t.intervalMs));
    const maxWindow = Math.max(0, ...cfg.rules.map((r) => r.windowMs));
    const capacity = Math.min(MAX_RING_CAPACITY, Math.ceil(maxWindow / minInterval) + 2);
    this.store = new SeriesStore({
      maxSeries: cfg.maxSeries,
      capacity,
      names: new Set(cfg.rules.map((r) => r.series)),
      retentionMs: maxWindow + 2 * cfg.intervalMs,
    });
    this.scraper = new Scraper({
      store: this.store,
      logger: ctx.logger,
      metrics: ctx.metrics,
      maxConcurrent: cfg.maxConcurrentScrapes,
      maxResponseBytes: cfg.maxResponseBytes,
      maxSamplesPerScrape: cfg.maxSamplesPerScrape,
      maxLineLength: cfg.maxLineLength,
      insecureSkipVerify: cfg.insecureSkipVerify,
      now: this.#now,
    });
    if (cfg.rules.some((r) => r.kind === 'custom')) {
      const objects = cfg.objects === 'targets' ? new StaticPodSource(cfg.staticPods, ctx.kube) : new KubeObjectSource(ctx.kube);
      this.custom = new ScrapeCustomProvider({ rules: cfg.rules, store: this.store, objects, now: this.#now });
    }
    if (cfg.rules.some((r) => r.kind === 'external')) {
      this.external = new ScrapeExternalProvider({ rules: cfg.rules, store: this.store, now: this.#now });
    }
    ctx.signal.addEventListener('abort', () => void this.close(), { once: true });
  }

  /** Starts scraping: static targets now, pod discovery now and every refresh interval. */
  async start(): Promise<void> {
    if (this.#closed) return;
    this.#applyTargets();
    const k = this.config.kubernetes;
    if (k) {
      await this.#discover();
      this.#discoveryTimer = setInterval(() => void this.#discover(), k.refreshMs);
      this.#discoveryTimer.unref?.();
    }
    this.#sweepTimer = setInterval(() => {
      const evicted = this.store.sweep(this.#now());
      if (evicted > 0) this.#ctx.metrics.gauge('series', this.store.size);
    }, this.config.intervalMs);
    this.#sweepTimer.unref?.();
    this.#ctx.logger.info(
      { targets: this.scraper.targets().length, rules: this.config.rules.length, kubernetes: Boolean(k) },
      'scrape backend started',
    );
  }

  /** Stops timers and in-flight scrapes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#discoveryTimer);
    clearInterval(this.#sweepTimer);
    this.scraper.close();
  }

  health(): BackendHealth {
    if (this.#closed) return { healthy: false, message: 'closed' };
    const targets = this.scraper.targets();
    const failing = targets.filter((t) => t.failures > 0).length;
    const parts = [`${targets.length} targets`, `${failing} failing`, `${this.store.size} series`];
    if (this.#discoveryError) parts.push(`pod discovery failing: ${this.#discoveryError}`);
    return { healthy: true, message: parts.join(', ') };
  }

  async #discover(): Promise<void> {
    const k = this.config.kubernetes;
    if (!k || this.#closed) return;
    try {
      const pods = await this.#ctx.kube.listObjects({ group: '', resource: 'pods' }, k.namespace, Selector.everything());
      this.#podTargets = podTargets(pods, this.config.intervalMs, this.config.timeoutMs);
      this.#discoveryError = undefined;
      this.#applyTargets();
    } catch (e) {
      this.#discoveryError = e instanceof Error ? e.message : String(e);
      this.#ctx.metrics.count('discovery_errors');
      this.#ctx.logger.warn({ err: this.#discoveryError }, 'pod discovery failed; keeping the previous targets');
    }
  }

  #applyTargets(): void {
    this.scraper.setTargets([...this.config.staticTargets, ...this.#podTargets]);
  }
}
