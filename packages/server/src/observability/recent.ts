// Recent activity for the debug page: the last answers served (folded into the last values per
// object), per-call latency over a small ring, and the last queries each backend sent. Recording
// is O(1) and allocation-free on the request path (a slot of preallocated rings is overwritten);
// the work of turning answers into per-object values is done when the page reads them.
import type { ExternalMetricValue, MetricValue, NodeMetrics, PodMetrics } from '@custom-metrics/core';

/** Bounds of {@link RecentActivity} (the defaults suit a debug page). */
export interface RecentActivityOptions {
  /** Answers kept (by reference) between two reads of the values (default 64); older ones are dropped unread. */
  readonly answers?: number;
  /** Objects kept per metric, least recently served evicted first (default 50). */
  readonly objectsPerMetric?: number;
  /** Metrics kept, least recently served evicted first (default 500). */
  readonly metrics?: number;
  /** Call latencies kept per instance and operation for the percentiles (default 128). */
  readonly latencySamples?: number;
  /** Queries kept per instance (default 5). */
  readonly queries?: number;
  /** Longest query text kept, in characters (default 2000; longer ones are cut with `…`). */
  readonly queryChars?: number;
  readonly now?: () => number;
}

/** The last value served for one object (custom), series (external) or pod/node (metrics.k8s.io). */
export interface RecentValue {
  /** `Pod default/web-1`, `{queue="a"}` (external: the series' labels), `node-1`. */
  readonly object: string;
  /** The value (custom, external); absent for metrics.k8s.io, which has `usage`. */
  readonly value?: number;
  /** metrics.k8s.io: CPU cores and memory bytes, summed over the containers for pods. */
  readonly usage?: { cpu: number; memory: number };
  /** The sample's timestamp (RFC 3339). */
  readonly timestamp: string;
  /** When the server served it (RFC 3339). */
  readonly servedAt: string;
}

/** The last values of one metric. */
export interface RecentMetricValues {
  readonly api: 'custom' | 'external' | 'resource';
  /** The metric name (`http_requests`), or `pods`/`nodes` for metrics.k8s.io. */
  readonly metric: string;
  readonly backend: string;
  /** Most recently served first. */
  readonly objects: RecentValue[];
}

/** Recent call latency of one operation of one instance. */
export interface RecentLatency {
  readonly operation: string;
  /** How many calls the percentiles are computed over (at most the ring's size). */
  readonly samples: number;
  readonly lastMs: number;
  readonly lastOk: boolean;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One query a backend sent to its system. */
export interface RecentQuery {
  /** When it finished (RFC 3339). */
  readonly at: string;
  readonly operation: string;
  readonly query: string;
  readonly ms: number;
  readonly ok: boolean;
}

interface LatencyRing {
  readonly buf: Float64Array;
  /** Calls recorded so far (the next slot is `n % buf.length`). */
  n: number;
  lastMs: number;
  lastOk: boolean;
}

interface Stored {
  value?: number;
  usage?: { cpu: number; memory: number };
  timestamp: Date;
  servedAt: number;
}

interface MetricEntry {
  readonly api: RecentMetricValues['api'];
  readonly metric: string;
  readonly backend: string;
  readonly objects: Map<string, Stored>;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
const iso = (ms: number) => new Date(ms).toISOString();
const isoOf = (d: Date) => (Number.isFinite(d.getTime()) ? d.toISOString() : String(d));

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function labelsText(labels: Record<string, string> | null): string {
  if (!labels) return '{}';
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}

/** The process's recent activity; one per server ({@link ServerMetrics.recent}). */
export class RecentActivity {
  readonly #now: () => number;
  readonly #objectsPerMetric: number;
  readonly #maxMetrics: number;
  readonly #latencySamples: number;
  readonly #maxQueries: number;
  readonly #queryChars: number;
  // The answers ring: parallel arrays, so recording allocates nothing.
  readonly #aAt: Float64Array;
  readonly #aBackend: string[];
  readonly #aOperation: string[];
  readonly #aResult: unknown[];
  #aNext = 0;
  #aFolded = 0;
  readonly #metrics = new Map<string, MetricEntry>();
  readonly #latency = new Map<string, Map<string, LatencyRing>>();
  readonly #queries = new Map<string, RecentQuery[]>();

  constructor(options: RecentActivityOptions = {}) {
    this.#now = options.now ?? Date.now;
    const n = Math.max(1, options.answers ?? 64);
    this.#aAt = new Float64Array(n);
    this.#aBackend = new Array<string>(n).fill('');
    this.#aOperation = new Array<string>(n).fill('');
    this.#aResult = new Array<unknown>(n).fill(undefined);
    this.#objectsPerMetric = Math.max(1, options.objectsPerMetric ?? 50);
    this.#maxMetrics = Math.max(1, options.metrics ?? 500);
    this.#latencySamples = Math.max(1, options.latencySamples ?? 128);
    this.#maxQueries = Math.max(1, options.queries ?? 5);
    this.#queryChars = Math.max(16, options.queryChars ?? 2000);
  }

  /**
   * answer records what a provider call answered (`result`, kept by reference and read later):
   * `getMetricByName` (a MetricValue), `getMetricBySelector` (MetricValue[]), `getExternalMetric`
   * (ExternalMetricValue[]), `getPodMetrics`/`getNodeMetrics` (PodMetrics[]/NodeMetrics[]).
   */
  answer(backend: string, operation: string, result: unknown): void {
    const i = this.#aNext % this.#aAt.length;
    this.#aAt[i] = this.#now();
    this.#aBackend[i] = backend;
    this.#aOperation[i] = operation;
    this.#aResult[i] = result;
    this.#aNext++;
  }

  /** call records one call's latency for `backend`'s `operation`. */
  call(backend: string, operation: string, ms: number, ok: boolean): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    let ops = this.#latency.get(backend);
    if (!ops) this.#latency.set(backend, (ops = new Map()));
    let ring = ops.get(operation);
    if (!ring) ops.set(operation, (ring = { buf: new Float64Array(this.#latencySamples), n: 0, lastMs: 0, lastOk: true }));
    ring.buf[ring.n % ring.buf.length] = ms;
    ring.n++;
    ring.lastMs = ms;
    ring.lastOk = ok;
  }

  /** query records a query `backend` sent to its system (the text is cut to the configured length). */
  query(backend: string, operation: string, text: string, ms: number, ok: boolean): void {
    let list = this.#queries.get(backend);
    if (!list) this.#queries.set(backend, (list = []));
    const query = text.length > this.#queryChars ? `${text.slice(0, this.#queryChars - 1)}…` : text;
    list.unshift({ at: iso(this.#now()), operation, query, ms: round(ms), ok });
    if (list.length > this.#maxQueries) list.length = this.#maxQueries;
  }

  /** The recent latency of each operation of `backend`, by operation name. */
  latency(backend: string): RecentLatency[] {
    const ops = this.#latency.get(backend);
    if (!ops) return [];
    return [...ops].map(([operation, r]) => {
      const n = Math.min(r.n, r.buf.length);
      const sorted = r.buf.slice(0, n).sort();
      return { operation, samples: n, lastMs: round(r.lastMs), lastOk: r.lastOk, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) };
    });
  }

  /** The last queries `backend` sent, newest first. */
  queries(backend: string): RecentQuery[] {
    return [...(this.#queries.get(backend) ?? [])];
  }

  /** The last values served per metric and object, most recently served metric first. */
  values(): RecentMetricValues[] {
    this.#fold();
    return [...this.#metrics.values()].reverse().map((m) => ({
      api: m.api,
      metric: m.metric,
      backend: m.backend,
      objects: [...m.objects].reverse().map(([object, s]) => ({
        object,
        ...(s.value !== undefined ? { value: s.value } : {}),
        ...(s.usage ? { usage: s.usage } : {}),
        timestamp: isoOf(s.timestamp),
        servedAt: iso(s.servedAt),
      })),
    }));
  }

  /** Folds the answers recorded since the last read into the per-metric maps (oldest first). */
  #fold(): void {
    const size = this.#aAt.length;
    for (let seq = Math.max(this.#aFolded, this.#aNext - size); seq < this.#aNext; seq++) {
      const i = seq % size;
      const result = this.#aResult[i];
      this.#aResult[i] = undefined;
      try {
        this.#foldOne(this.#aBackend[i], this.#aOperation[i], result, this.#aAt[i]);
      } catch {
        // A provider's odd answer is the backend's business; the page shows the others.
      }
    }
    this.#aFolded = this.#aNext;
  }

  #foldOne(backend: string, operation: string, result: unknown, at: number): void {
    switch (operation) {
      case 'getMetricByName':
      case 'getMetricBySelector':
        // Only an answer's last objectsPerMetric items can survive the LRU: the others are skipped.
        for (const v of this.#tail((Array.isArray(result) ? result : [result]) as MetricValue[])) {
          const o = v.describedObject;
          this.#put('custom', v.metric.name, backend, `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`, { value: v.value, timestamp: v.timestamp, servedAt: at });
        }
        return;
      case 'getExternalMetric':
        for (const v of this.#tail(result as ExternalMetricValue[])) this.#put('external', v.metricName, backend, labelsText(v.metricLabels), { value: v.value, timestamp: v.timestamp, servedAt: at });
        return;
      case 'getPodMetrics':
        for (const p of this.#tail(result as PodMetrics[])) {
          const usage = { cpu: 0, memory: 0 };
          for (const c of p.containers) {
            usage.cpu += c.usage.cpu;
            usage.memory += c.usage.memory;
          }
          this.#put('resource', 'pods', backend, `${p.metadata.namespace ? `${p.metadata.namespace}/` : ''}${p.metadata.name}`, { usage, timestamp: p.timestamp, servedAt: at });
        }
        return;
      case 'getNodeMetrics':
        for (const n of this.#tail(result as NodeMetrics[])) this.#put('resource', 'nodes', backend, n.metadata.name, { usage: { ...n.usage }, timestamp: n.timestamp, servedAt: at });
        return;
      default:
    }
  }

  #tail<T>(items: readonly T[]): readonly T[] {
    return items.length > this.#objectsPerMetric ? items.slice(items.length - this.#objectsPerMetric) : items;
  }

  #put(api: MetricEntry['api'], metric: string, backend: string, object: string, stored: Stored): void {
    const key = `${api}\u0000${backend}\u0000${metric}`;
    let m = this.#metrics.get(key);
    if (m) this.#metrics.delete(key);
    else m = { api, metric, backend, objects: new Map() };
    this.#metrics.set(key, m);
    if (this.#metrics.size > this.#maxMetrics) this.#metrics.delete(this.#metrics.keys().next().value!);
    m.objects.delete(object);
    m.objects.set(object, stored);
    if (m.objects.size > this.#objectsPerMetric) m.objects.delete(m.objects.keys().next().value!);
  }
}
