/** Options of {@link TtlCache}. */
export interface TtlCacheOptions {
  /** How long an entry stays valid after `set`, in milliseconds (≥ 0). */
  ttlMs: number;
  /** Upper bound on stored entries; the least recently used entry is evicted first. Default 10 000. */
  maxEntries?: number;
  /** Clock in milliseconds; defaults to `Date.now`. Inject a fake clock in tests. */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

const DEFAULT_MAX_ENTRIES = 10_000;

function checkTtl(ttlMs: number): void {
  if (!(ttlMs >= 0) || !Number.isFinite(ttlMs)) throw new RangeError(`ttlMs must be a finite number ≥ 0, got ${ttlMs}`);
}

/**
 * TtlCache is a bounded in-memory map whose entries expire `ttlMs` after they were set.
 * Expired entries are never returned. When full, the least recently used entry is evicted.
 * No timers: expiry is checked on access, so the cache holds no handles open.
 */
export class TtlCache<K, V> {
  readonly #map = new Map<K, Entry<V>>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  /**
   * The key stored or used last. While it is in the map it is the map's last entry, so its hits
   * need no move: moving an entry (delete + set) leaves a hole in the map's table, and a table
   * full of holes is reallocated — old-generation garbage every few hits for a long-lived cache.
   */
  #newest: K | undefined;

  constructor(options: TtlCacheOptions) {
    checkTtl(options.ttlMs);
    const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxEntries must be a positive integer, got ${max}`);
    this.#ttlMs = options.ttlMs;
    this.#max = max;
    this.#now = options.now ?? Date.now;
  }

  /** The value for `key`, or `undefined` when absent or expired. A hit marks the entry recently used. */
  get(key: K): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    if (this.#now() >= e.expiresAt) {
      this.#map.delete(key);
      return undefined;
    }
    if (this.#newest !== key) {
      this.#map.delete(key);
      this.#map.set(key, e);
      this.#newest = key;
    }
    return e.value;
  }

  /** Whether `key` has an unexpired entry (does not change recency). */
  has(key: K): boolean {
    const e = this.#map.get(key);
    return e !== undefined && this.#now() < e.expiresAt;
  }

  /** Stores `value` for `ttlMs` (default: the cache's TTL), evicting the least recently used entry when full. */
  set(key: K, value: V, ttlMs: number = this.#ttlMs): this {
    checkTtl(ttlMs);
    this.#map.delete(key);
    this.#map.set(key, { value, expiresAt: this.#now() + ttlMs });
    this.#newest = key;
    if (this.#map.size > this.#max) this.prune();
    // Bounded: each pass removes one entry and the map exceeds the bound by at most one.
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.#map.delete(oldest.value);
    }
    return this;
  }

  /** Removes `key`; returns whether an entry (expired or not) was removed. */
  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  /** Removes every entry. */
  clear(): void {
    this.#map.clear();
  }

  /** Removes expired entries and returns how many were removed. */
  prune(): number {
    const now = this.#now();
    let n = 0;
    for (const [k, e] of this.#map) {
      if (now >= e.expiresAt) {
        this.#map.delete(k);
        n++;
      }
    }
    return n;
  }

  /** The number of unexpired entries. */
  get size(): number {
    this.prune();
    return this.#map.size;
  }
}
