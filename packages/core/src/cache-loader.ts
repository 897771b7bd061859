import { TtlCache } from './cache.js';
import { RequestCoalescer } from './coalesce.js';

/** Options of {@link CachingLoader}. */
export interface CachingLoaderOptions {
  /** How long a loaded value is served without calling the loader again, in milliseconds. */
  ttlMs: number;
  /**
   * How long after it stops being fresh a value may still be served when a load fails
   * (`{stale: true}`), in milliseconds. Default 0: failures are never answered from the cache.
   */
  staleMs?: number;
  /** Upper bound on cached keys (least recently used evicted first). Default 10 000. */
  maxEntries?: number;
  /** Clock in milliseconds; defaults to `Date.now`. */
  now?: () => number;
  /** Which failures may be answered with a stale value; default: every failure except the caller's abort. */
  serveStaleOn?: (error: unknown) => boolean;
}

/** What {@link CachingLoader.load} returns. */
export interface CachingLoaderResult<V> {
  value: V;
  /** True when `value` is past its TTL and served because the load failed. */
  stale: boolean;
}

interface Stored<V> {
  value: V;
  freshUntil: number;
}

/**
 * CachingLoader combines a {@link TtlCache} with a {@link RequestCoalescer}: a fresh cached value is
 * returned without calling the loader; otherwise concurrent loads of one key share one call, whose
 * success is cached for `ttlMs`. A failed load is never cached; if `staleMs` allows it, the last
 * value younger than `ttlMs + staleMs` is returned instead, marked `stale`.
 */
export class CachingLoader<K, V> {
  readonly #cache: TtlCache<K, Stored<V>>;
  readonly #coalescer = new RequestCoalescer<K, V>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #serveStaleOn: (error: unknown) => boolean;

  constructor(options: CachingLoaderOptions) {
    const staleMs = options.staleMs ?? 0;
    if (!(staleMs >= 0) || !Number.isFinite(staleMs)) throw new RangeError(`staleMs must be a finite number ≥ 0, got ${staleMs}`);
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs;
    this.#cache = new TtlCache({ ttlMs: options.ttlMs + staleMs, maxEntries: options.maxEntries, now: this.#now });
    this.#serveStaleOn = options.serveStaleOn ?? (() => true);
  }

  /**
   * Returns the value for `key`: from the cache while fresh, else from `fn` (coalesced with other
   * callers of the same key), else — when `fn` fails and a value within the stale bound exists —
   * that value with `stale: true`. `signal` aborts only this caller's wait.
   */
  async load(key: K, fn: (signal: AbortSignal) => Promise<V>, signal?: AbortSignal): Promise<CachingLoaderResult<V>> {
    signal?.throwIfAborted();
    const hit = this.#cache.get(key);
    if (hit !== undefined && this.#now() < hit.freshUntil) return { value: hit.value, stale: false };
    try {
      const value = await this.#coalescer.run(
        key,
        async (s) => {
          const v = await fn(s);
          this.#cache.set(key, { value: v, freshUntil: this.#now() + this.#ttlMs });
          return v;
        },
        signal,
      );
      return { value, stale: false };
    } catch (err) {
      if (signal?.aborted || !this.#serveStaleOn(err)) throw err;
      const old = this.#cache.get(key);
      if (old !== undefined) return { value: old.value, stale: true };
      throw err;
    }
  }

  /** Forgets the cached value for `key`. */
  invalidate(key: K): void {
    this.#cache.delete(key);
  }

  /** Forgets every cached value. */
  clear(): void {
    this.#cache.clear();
  }

  /** The number of cached keys (fresh or still servable as stale). */
  get size(): number {
    return this.#cache.size;
  }
}
