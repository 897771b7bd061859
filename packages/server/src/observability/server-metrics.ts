import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BackendMetrics } from '@custom-metrics/core';
import { RecentActivity } from './recent.js';

/** The bound `observe` of one label combination of a histogram (prom-client's `labels(...)` child). */
export type Observer = { observe(value: number): void };

/**
 * ServerMetrics holds the server's self-metrics (prom-client) exported on `/metrics`: request
 * latency by API group, verb and code; in-flight requests; backend call latency and errors per
 * backend instance; cache results; discovered metric counts; backend event counters and gauges.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<'group' | 'verb' | 'code'>;
  readonly inflight: Gauge;
  readonly rejected: Counter<'reason'>;
  readonly backendCallDuration: Histogram<'instance' | 'operation' | 'outcome'>;
  readonly backendErrors: Counter<'instance' | 'operation'>;
  readonly cacheResults: Counter<'instance' | 'result'>;
  readonly discoveredMetrics: Gauge<'instance' | 'api'>;
  readonly backendEvents: Counter<'instance' | 'event'>;
  readonly backendGauges: Gauge<'instance' | 'name'>;
  readonly backendHealthy: Gauge<'instance'>;
  /** Recent activity for the debug page: last values served, per-call latency, last backend queries. */
  readonly recent = new RecentActivity();
  #health: (() => Promise<Array<{ instance: string; healthy: boolean }>>) | undefined;
  #discovered: (() => Array<{ instance: string; api: 'custom' | 'external'; count: number }>) | undefined;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: 'custom_metrics_server_request_duration_seconds',
      help: 'Latency of API requests by API group, verb and HTTP status code.',
      labelNames: ['group', 'verb', 'code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.inflight = new Gauge({ name: 'custom_metrics_server_inflight_requests', help: 'Requests being served now.', registers });
    this.rejected = new Counter({
      name: 'custom_metrics_server_rejected_requests_total',
      help: 'Requests rejected by overload protection (reason: saturated or deadline).',
      labelNames: ['reason'],
      registers,
    });
    this.backendCallDuration = new Histogram({
      name: 'custom_metrics_backend_call_duration_seconds',
      help: 'Latency of calls from a backend instance to its metrics system.',
      labelNames: ['instance', 'operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.backendErrors = new Counter({
      name: 'custom_metrics_backend_errors_total',
      help: 'Failed calls from a backend instance to its metrics system, or failed provider calls.',
      labelNames: ['instance', 'operation'],
      registers,
    });
    this.cacheResults = new Counter({
      name: 'custom_metrics_backend_cache_total',
      help: 'Backend cache lookups by result (hit, miss, stale).',
      labelNames: ['instance', 'result'],
      registers,
    });
    const discovered = () => this.#discovered?.() ?? [];
    this.discoveredMetrics = new Gauge({
      name: 'custom_metrics_discovered_metrics',
      help: 'Metrics a backend instance currently lists, by API (custom, external).',
      labelNames: ['instance', 'api'],
      registers,
      collect() {
        for (const d of discovered()) this.set({ instance: d.instance, api: d.api }, d.count);
      },
    });
    this.backendEvents = new Counter({
      name: 'custom_metrics_backend_events_total',
      help: 'Named events counted by a backend instance (e.g. samples_dropped_nan).',
      labelNames: ['instance', 'event'],
      registers,
    });
    this.backendGauges = new Gauge({
      name: 'custom_metrics_backend_gauge',
      help: 'Named gauges set by a backend instance.',
      labelNames: ['instance', 'name'],
      registers,
    });
    const health = () => this.#health?.() ?? Promise.resolve([]);
    this.backendHealthy = new Gauge({
      name: 'custom_metrics_backend_healthy',
      help: 'Whether a backend instance reports itself healthy (1) or not (0), checked at each scrape. Informational: it never affects readiness.',
      labelNames: ['instance'],
      registers,
      async collect() {
        for (const h of await health()) this.set({ instance: h.instance }, h.healthy ? 1 : 0);
      },
    });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Sets where the discovered-metrics gauge reads its counts from at each scrape. */
  setDiscoveredSource(source: () => Array<{ instance: string; api: 'custom' | 'external'; count: number }>): void {
    this.#discovered = source;
  }

  /** Sets where the backend-health gauge reads each instance's health from at each scrape. */
  setHealthSource(source: () => Promise<Array<{ instance: string; healthy: boolean }>>): void {
    this.#health = source;
  }

  /**
   * The backend-call histogram's child of each (instance, operation, outcome), resolved once:
   * a call then costs two map lookups instead of `labels()` (which validates and hashes the
   * labels and builds a child of closures). The child's `observe` still hashes its labels
   * (prom-client 15). The label values are bounded (configured instances, their few operations,
   * two outcomes).
   */
  readonly #callChildren = new Map<string, Map<string, { success: Observer; error: Observer }>>();

  /** Observes one backend call's duration (`backendCallDuration`). */
  observeBackendCall(instance: string, operation: string, outcome: 'success' | 'error', seconds: number): void {
    let ops = this.#callChildren.get(instance);
    if (ops === undefined) this.#callChildren.set(instance, (ops = new Map()));
    let children = ops.get(operation);
    if (children === undefined) {
      children = {
        success: this.backendCallDuration.labels({ instance, operation, outcome: 'success' }),
        error: this.backendCallDuration.labels({ instance, operation, outcome: 'error' }),
      };
      ops.set(operation, children);
    }
    children[outcome].observe(seconds);
  }

  /** A {@link BackendMetrics} recorder that labels everything with `instance`. */
  forBackend(instance: string): BackendMetrics {
    return {
      observeCall: (operation, seconds, outcome, query) => {
        if (!Number.isFinite(seconds) || seconds < 0) return;
        this.observeBackendCall(instance, operation, outcome, seconds);
        if (outcome === 'error') this.backendErrors.inc({ instance, operation });
        this.recent.call(instance, operation, seconds * 1000, outcome === 'success');
        if (typeof query === 'string') this.recent.query(instance, operation, query, seconds * 1000, outcome === 'success');
      },
      cache: (result) => this.cacheResults.inc({ instance, result }),
      count: (event, n = 1) => {
        if (Number.isFinite(n) && n >= 0) this.backendEvents.inc({ instance, event }, n);
      },
      gauge: (name, value) => {
        if (Number.isFinite(value)) this.backendGauges.set({ instance, name }, value);
      },
    };
  }

  /** The exposition text and its content type. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
