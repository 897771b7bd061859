import { RingBuffer } from './ring-buffer.js';

/** One stored series. */
export interface StoredSeries {
  readonly key: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly buffer: RingBuffer;
  /** Which target last wrote it. */
  target: string;
  /** When it was last seen in a scrape (ms). */
  lastSeenMs: number;
  /** The scrape interval of its target (ms); staleness is two of these. */
  intervalMs: number;
}

/** One sample to ingest, labels already merged with the target's labels. */
export interface IngestSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly tMs: number;
}

/** What {@link SeriesStore.ingest} did. */
export interface IngestResult {
  stored: number;
  /** Samples of new series refused because the store is at its series limit. */
  overLimit: number;
  /** Samples skipped because their name is not wanted by any rule. */
  ignored: number;
  /** Samples with NaN or ±Inf values, dropped. */
  nonFinite: number;
}

/** Options of {@link SeriesStore}. */
export interface SeriesStoreOptions {
  /** Most series held at once; new series past it are refused. */
  maxSeries: number;
  /** Samples kept per series (ring size). */
  capacity: number;
  /** Only series with these names are kept; undefined keeps all. */
  names?: ReadonlySet<string>;
  /** Series unseen for longer than this are evicted by {@link SeriesStore.sweep} (ms). */
  retentionMs: number;
}

/** A stable identity for a series: name plus labels sorted by name. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return JSON.stringify([name, ...keys.map((k) => [k, labels[k]])]);
}

/**
 * SeriesStore holds a {@link RingBuffer} per series, bounded by a series limit. Series unseen for
 * two of their target's intervals are stale (not served); {@link sweep} evicts long-gone ones.
 */
export class SeriesStore {
  readonly #series = new Map<string, StoredSeries>();
  readonly #byName = new Map<string, Set<StoredSeries>>();

  constructor(readonly options: SeriesStoreOptions) {}

  /** Number of series held. */
  get size(): number {
    return this.#series.size;
  }

  /** Stores one scrape's samples for `target`, all seen at `seenMs`. */
  ingest(target: string, samples: readonly IngestSample[], seenMs: number, intervalMs: number): IngestResult {
    const r: IngestResult = { stored: 0, overLimit: 0, ignored: 0, nonFinite: 0 };
    const names = this.options.names;
    for (const s of samples) {
      if (names && !names.has(s.name)) {
        r.ignored++;
        continue;
      }
      if (!Number.isFinite(s.value)) {
        r.nonFinite++;
        continue;
      }
      const key = seriesKey(s.name, s.labels);
      let series = this.#series.get(key);
      if (!series) {
        if (this.#series.size >= this.options.maxSeries) {
          r.overLimit++;
          continue;
        }
        series = { key, name: s.name, labels: { ...s.labels }, buffer: new RingBuffer(this.options.capacity), target, lastSeenMs: seenMs, intervalMs };
        this.#series.set(key, series);
        let set = this.#byName.get(s.name);
        if (!set) this.#byName.set(s.name, (set = new Set()));
        set.add(series);
      }
      series.target = target;
      series.lastSeenMs = seenMs;
      series.intervalMs = intervalMs;
      if (series.buffer.push(s.tMs, s.value)) r.stored++;
    }
    return r;
  }

  /** The series named `name` that are not stale at `nowMs`. */
  fresh(name: string, nowMs: number): StoredSeries[] {
    const set = this.#byName.get(name);
    if (!set) return [];
    const out: StoredSeries[] = [];
    for (const s of set) if (!isStale(s, nowMs)) out.push(s);
    return out;
  }

  /** Evicts series unseen for longer than the retention; returns how many. */
  sweep(nowMs: number): number {
    let n = 0;
    for (const [key, s] of this.#series) {
      if (nowMs - s.lastSeenMs <= Math.max(this.options.retentionMs, 2 * s.intervalMs)) continue;
      this.#series.delete(key);
      const set = this.#byName.get(s.name);
      set?.delete(s);
      if (set && set.size === 0) this.#byName.delete(s.name);
      n++;
    }
    return n;
  }

  /** Removes everything. */
  clear(): void {
    this.#series.clear();
    this.#byName.clear();
  }
}

/** A series unseen for more than two intervals of its target stops being served. */
export function isStale(s: Pick<StoredSeries, 'lastSeenMs' | 'intervalMs'>, nowMs: number): boolean {
  return nowMs - s.lastSeenMs > 2 * s.intervalMs;
}
