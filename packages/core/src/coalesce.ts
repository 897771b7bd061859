interface Flight<V> {
  readonly promise: Promise<V>;
  readonly controller: AbortController;
  waiters: number;
  settled: boolean;
}

/** The rejection reason for an aborted signal (its `reason`, or a DOMException `AbortError`). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * RequestCoalescer shares one in-flight call among concurrent callers asking for the same key.
 *
 * - The first caller for a key starts `fn`; callers arriving while it runs wait for the same result.
 * - Each caller's own `signal` rejects only that caller (with the signal's reason).
 * - The shared call's signal is aborted only when every waiting caller has aborted; a caller
 *   without a signal keeps the call alive.
 * - Nothing is remembered after the call settles: a failure is seen only by the callers that were
 *   waiting for it, and the next call for the key starts afresh.
 */
export class RequestCoalescer<K, V> {
  readonly #inflight = new Map<K, Flight<V>>();

  /** The number of keys with a call in flight. */
  get size(): number {
    return this.#inflight.size;
  }

  /**
   * Runs `fn` for `key`, or joins the call already in flight for it.
   * Rejects at once, without starting or joining anything, when `signal` is already aborted.
   */
  run(key: K, fn: (signal: AbortSignal) => Promise<V>, signal?: AbortSignal): Promise<V> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    let flight = this.#inflight.get(key);
    if (flight === undefined) {
      const controller = new AbortController();
      const promise = new Promise<V>((resolve, reject) => {
        try {
          fn(controller.signal).then(resolve, reject);
        } catch (e) {
          reject(e);
        }
      });
      const f: Flight<V> = { promise, controller, waiters: 0, settled: false };
      const done = () => {
        f.settled = true;
        if (this.#inflight.get(key) === f) this.#inflight.delete(key);
      };
      promise.then(done, done);
      this.#inflight.set(key, f);
      flight = f;
    }
    return this.#join(key, flight, signal);
  }

  #join(key: K, f: Flight<V>, signal: AbortSignal | undefined): Promise<V> {
    f.waiters++;
    if (signal === undefined) return f.promise;
    return new Promise<V>((resolve, reject) => {
      const onAbort = () => {
        reject(abortReason(signal));
        f.waiters--;
        if (f.waiters === 0 && !f.settled) {
          if (this.#inflight.get(key) === f) this.#inflight.delete(key);
          f.controller.abort(abortReason(signal));
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      f.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }
}
