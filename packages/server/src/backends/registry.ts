import {
  groupResourceString,
  type BackendInstance,
  type CustomMetricInfo,
  type CustomMetricsProvider,
  type ExternalMetricInfo,
  type ExternalMetricsProvider,
  type GroupResource,
  type ResourceMetricsProvider,
} from '@custom-metrics/core';
import { ConfigError } from '../config/config-error.js';

/** A started (or startable) backend instance as the registry routes to it. */
export interface RegisteredBackend {
  /** Instance name from the config. */
  readonly name: string;
  /** `backends[].type`. */
  readonly type: string;
  /** Higher wins for a metric listed by several instances; `undefined` counts as 0. */
  readonly priority?: number;
  /** Asked for metrics it does not list (see {@link BackendRegistry.onDemandCustom}). */
  readonly lookupOnDemand: boolean;
  readonly instance: BackendInstance;
}

/** A routing decision: the instance and its provider. */
export interface Route<P> {
  readonly backend: RegisteredBackend;
  readonly provider: P;
}

interface Table {
  custom: Map<string, Route<CustomMetricsProvider> & { info: CustomMetricInfo }>;
  external: Map<string, Route<ExternalMetricsProvider> & { info: ExternalMetricInfo }>;
  conflicts: string[];
  /** Documents built from this table ({@link BackendRegistry.documentFor}). */
  documents?: Map<string, unknown>;
}

const TABLE_TTL_MS = 1_000;

/** The lookup key of a custom metric: group-resource + metric. */
export const customKey = (gr: GroupResource, metric: string): string => `${groupResourceString(gr)}/${metric}`;

/**
 * BackendRegistry routes each metric to the backend instance that lists it: custom metrics by
 * group-resource + metric name, external metrics by lower-cased name, resource metrics to the one
 * instance offering `resource`. Two instances listing the same metric is an error unless their
 * `priority` differs (the higher wins). Metrics no instance lists are answered 404, unless some
 * instances set `lookupOnDemand`: those are then asked in priority order.
 * The routing table is rebuilt from the providers' lists at most once a second.
 */
export class BackendRegistry {
  readonly #backends: readonly RegisteredBackend[];
  readonly #now: () => number;
  readonly #onConflict: ((message: string) => void) | undefined;
  readonly #reported = new Set<string>();
  #table: Table | undefined;
  #builtAt = 0;

  /**
   * @param onConflict called once per conflict that appears after start-up (a backend that
   * discovered a metric another instance already serves); the first instance in config order
   * keeps serving it.
   */
  constructor(backends: readonly RegisteredBackend[], now: () => number = Date.now, onConflict?: (message: string) => void) {
    this.#backends = [...backends];
    this.#now = now;
    this.#onConflict = onConflict;
  }

  /** Every instance, in config order. */
  get backends(): readonly RegisteredBackend[] {
    return this.#backends;
  }

  /**
   * checkConflicts verifies that no metric is listed by two instances of equal priority, and that
   * at most one instance (or one of highest priority) offers resource metrics.
   * @throws {ConfigError} naming both instances and the metric.
   */
  checkConflicts(): void {
    const table = this.#rebuild();
    const problems = [...table.conflicts];
    const resource = this.#backends.filter((b) => b.instance.resource);
    if (resource.length > 1) {
      const sorted = [...resource].sort(byPriority);
      if ((sorted[0].priority ?? 0) === (sorted[1].priority ?? 0)) {
        problems.push(`resource metrics (metrics.k8s.io) are offered by both backend "${sorted[0].name}" and backend "${sorted[1].name}"; give one a higher priority`);
      }
    }
    if (problems.length > 0) throw new ConfigError(problems.map((expected) => ({ path: 'backends', expected })));
  }

  /** The instance serving custom metric `metric` of `gr`, if one lists it. */
  customFor(gr: GroupResource, metric: string): (Route<CustomMetricsProvider> & { info: CustomMetricInfo }) | undefined {
    return this.#current().custom.get(customKey(gr, metric));
  }

  /** The instance serving external metric `metric` (case-insensitive), if one lists it. */
  externalFor(metric: string): (Route<ExternalMetricsProvider> & { info: ExternalMetricInfo }) | undefined {
    return this.#current().external.get(metric.toLowerCase());
  }

  /** Instances with `lookupOnDemand` and a custom provider, highest priority first. */
  onDemandCustom(): Route<CustomMetricsProvider>[] {
    return this.#sorted()
      .filter((b) => b.lookupOnDemand && b.instance.custom)
      .map((b) => ({ backend: b, provider: b.instance.custom as CustomMetricsProvider }));
  }

  /** Instances with `lookupOnDemand` and an external provider, highest priority first. */
  onDemandExternal(): Route<ExternalMetricsProvider>[] {
    return this.#sorted()
      .filter((b) => b.lookupOnDemand && b.instance.external)
      .map((b) => ({ backend: b, provider: b.instance.external as ExternalMetricsProvider }));
  }

  /**
   * Instances offering `api` that cannot yet tell which metrics they serve (`pending()`), with
   * the reason: while there are any, an unlisted metric is a 503, not a 404.
   */
  pending(api: 'custom' | 'external'): Array<{ name: string; reason: string }> {
    const out: Array<{ name: string; reason: string }> = [];
    for (const b of this.#backends) {
      if (!b.instance[api]) continue;
      const reason = b.instance.pending?.();
      if (reason !== undefined) out.push({ name: b.name, reason });
    }
    return out;
  }

  /** The instance serving metrics.k8s.io (highest priority), if any. */
  resourceProvider(): Route<ResourceMetricsProvider> | undefined {
    const b = this.#sorted().find((x) => x.instance.resource);
    return b ? { backend: b, provider: b.instance.resource as ResourceMetricsProvider } : undefined;
  }

  /** Every routed custom metric (one per group-resource + metric), for discovery. */
  customMetrics(): CustomMetricInfo[] {
    return [...this.#current().custom.values()].map((r) => r.info);
  }

  /** Every routed external metric, for discovery. */
  externalMetrics(): ExternalMetricInfo[] {
    return [...this.#current().external.values()].map((r) => r.info);
  }

  /**
   * documentFor returns the document `key` (e.g. a discovery document) that `build` makes from the
   * metric lists, built once per routing table: the table is rebuilt at most once a second and on
   * {@link invalidate}, so the document follows every change of the lists as the lists themselves
   * do. The document is shared: callers must not change it.
   */
  documentFor<T>(key: string, build: () => T): T {
    const docs = (this.#current().documents ??= new Map());
    if (docs.has(key)) return docs.get(key) as T;
    const doc = build();
    docs.set(key, doc);
    return doc;
  }

  /**
   * Forces the routing table to be rebuilt on next use (e.g. after the memory backend changed).
   * `req`: the request that changed it (a swappable registry also rebuilds that request's table).
   */
  invalidate(_req?: object): void {
    this.#table = undefined;
  }

  /** The registry `req` routes by (this one; a swappable registry keeps requests on the table they arrived on). */
  forRequest(_req: object | undefined): BackendRegistry {
    return this;
  }

  #sorted(): RegisteredBackend[] {
    return [...this.#backends].sort(byPriority);
  }

  #current(): Table {
    if (this.#table === undefined || this.#now() - this.#builtAt >= TABLE_TTL_MS) this.#rebuild();
    return this.#table as Table;
  }

  #rebuild(): Table {
    const table: Table = { custom: new Map(), external: new Map(), conflicts: [] };
    for (const b of this.#backends) {
      for (const info of safeList(() => b.instance.custom?.listAllMetrics())) {
        const key = customKey(info.groupResource, info.metric);
        const prev = table.custom.get(key);
        const winner = decide(prev?.backend, b, `custom metric "${key}"`, table.conflicts);
        if (winner === b) table.custom.set(key, { backend: b, provider: b.instance.custom as CustomMetricsProvider, info });
      }
      for (const info of safeList(() => b.instance.external?.listAllExternalMetrics())) {
        const key = info.metric.toLowerCase();
        const prev = table.external.get(key);
        const winner = decide(prev?.backend, b, `external metric "${info.metric}"`, table.conflicts);
        if (winner === b) table.external.set(key, { backend: b, provider: b.instance.external as ExternalMetricsProvider, info });
      }
    }
    this.#table = table;
    this.#builtAt = this.#now();
    for (const c of table.conflicts) {
      if (this.#reported.has(c)) continue;
      this.#reported.add(c);
      if (this.#reported.size > 10_000) this.#reported.clear();
      this.#onConflict?.(c);
    }
    return table;
  }
}

function safeList<T>(fn: () => T[] | undefined): T[] {
  try {
    return fn() ?? [];
  } catch {
    return [];
  }
}

function byPriority(a: RegisteredBackend, b: RegisteredBackend): number {
  return (b.priority ?? 0) - (a.priority ?? 0);
}

/** Picks between the instance already routed and a new one; records a conflict on a tie (first keeps it). */
function decide(prev: RegisteredBackend | undefined, next: RegisteredBackend, what: string, conflicts: string[]): RegisteredBackend {
  if (prev === undefined || prev === next) return next;
  const pp = prev.priority ?? 0;
  const np = next.priority ?? 0;
  if (np > pp) return next;
  if (np < pp) return prev;
  conflicts.push(`${what} is listed by both backend "${prev.name}" and backend "${next.name}"; set different priorities to choose one`);
  return prev;
}
