import type { Context, Middleware } from 'koa';
import { ServiceUnavailableError } from '@custom-metrics/core';
import type { ServerMetrics } from '../observability/server-metrics.js';

/** The message of the 503 a request gets when it passes its deadline. */
export const DEADLINE_MESSAGE = 'the request did not complete within the allowed duration';

const EXPIRED = Symbol('expired');

/** One request's deadline in a {@link DeadlineQueue}. */
interface Deadline {
  /** `performance.now()` at which it expires. */
  readonly at: number;
  /** What runs at expiry; dropped once settled, so a settled entry holds nothing of its request. */
  onExpire: (() => void) | undefined;
  /** Settled (expired, or the request finished first). */
  done: boolean;
}

/** Entries dropped from the front of the queue before the array is compacted. */
const COMPACT_AFTER = 1024;

/**
 * DeadlineQueue runs the deadlines of one duration on a single timer. Deadlines of one duration
 * expire in the order they were set, so they are kept in arrival order and the timer is armed for
 * the earliest one still pending (or for an earlier, settled one: it then re-arms for the next);
 * a request that finishes marks its entry settled (no timer to clear), and the timer stops once
 * it fires with nothing pending. Per request: one small object and an
 * array push, instead of a timer object, its scheduling and its cancellation.
 */
export class DeadlineQueue {
  /** Pending and settled entries in arrival order; the slots before `#head` are emptied. */
  readonly #entries: Array<Deadline | undefined> = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly timeoutMs: number) {}

  /** Calls `onExpire` once `timeoutMs` have passed, unless the returned entry is {@link settle}d first. */
  add(onExpire: () => void): Deadline {
    const entry: Deadline = { at: performance.now() + this.timeoutMs, onExpire, done: false };
    this.#entries.push(entry);
    if (this.#timer === undefined) this.#arm(entry.at);
    return entry;
  }

  /** The request finished before its deadline. */
  settle(entry: Deadline): void {
    entry.done = true;
    // A settled entry may wait behind an earlier pending one: it must not keep its request
    // (the closure) alive meanwhile, under steady load for longer than a young-generation cycle.
    entry.onExpire = undefined;
    if (this.#entries[this.#head] === entry) this.#dropSettled();
  }

  #dropSettled(): void {
    const entries = this.#entries;
    while (this.#head < entries.length && (entries[this.#head] as Deadline).done) entries[this.#head++] = undefined;
    if (this.#head === entries.length) {
      // The timer stays armed (unref'd): when it fires with nothing due it just stops, and a
      // request arriving meanwhile needs no new timer (its deadline is later than the armed one).
      entries.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= entries.length) {
      entries.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(at - performance.now())));
    // The requests' sockets keep the process alive, not their deadlines.
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const entries = this.#entries;
    while (this.#head < entries.length) {
      const entry = entries[this.#head] as Deadline;
      if (!entry.done) {
        if (entry.at > now) break;
        entry.done = true;
        const onExpire = entry.onExpire as () => void;
        entry.onExpire = undefined;
        onExpire();
      }
      entries[this.#head++] = undefined;
    }
    this.#dropSettled();
    if (this.#head < entries.length && this.#timer === undefined) this.#arm((entries[this.#head] as Deadline).at);
  }
}

/**
 * RequestCancellation is one request's cancellation: aborted at its deadline or when the client
 * goes away. Its AbortSignal is created when first read ({@link signal}): creating one costs
 * several µs on Node 20, and a request answered from memory never needs it. Code that only asks
 * whether the request was cancelled uses {@link aborted} / {@link throwIfAborted}.
 */
export class RequestCancellation {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  /** Whether the request was cancelled. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** The request's AbortSignal (created now if it was not yet; already aborted if the request was). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Cancels the request (the first reason stands). */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }

  /** Throws the cancellation reason, as `AbortSignal.throwIfAborted`. */
  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }
}

/**
 * deadline gives each request a {@link RequestCancellation} (`ctx.state.cancellation`; its
 * AbortSignal through `requestSignal(ctx)` of the routes) that aborts after `timeoutMs` or when the
 * client goes away. Past the deadline the request is answered 503 at once, whether or not the
 * handler honours the signal (a late result is discarded).
 *
 * Per request: one RequestCancellation (an AbortSignal only when something reads it), one entry
 * in the {@link DeadlineQueue} and one promise (settled by whichever of the handler and the
 * deadline comes first), no `Promise.race`.
 */
export function deadline(timeout: number | DeadlineQueue, metrics?: ServerMetrics): Middleware {
  const queue = typeof timeout === 'number' ? new DeadlineQueue(timeout) : timeout;
  return function applyDeadline(ctx, next) {
    return runWithDeadline(ctx, queue, next, metrics);
  };
}

/** Runs `next` under the request deadline as {@link deadline} does (shared with the pre-composed path). */
export async function runWithDeadline(ctx: Pick<Context, 'state' | 'res'>, queue: DeadlineQueue, next: () => Promise<unknown>, metrics?: ServerMetrics): Promise<void> {
  const cancellation = new RequestCancellation();
  (ctx.state as { cancellation?: RequestCancellation }).cancellation = cancellation;
  const res = ctx.res;
  const onClose = () => {
    // HTTP/2 (compatibility API): node marks a reset stream's writable side finished, so a reset
    // is recognised by the stream's own flag.
    if (!res.writableFinished || (res as { stream?: { aborted?: boolean } }).stream?.aborted === true) {
      cancellation.abort(new DOMException('the client closed the connection', 'AbortError'));
    }
  };
  res.once('close', onClose);
  let entry: Deadline | undefined;
  try {
    const outcome = await new Promise<unknown>((resolve, reject) => {
      entry = queue.add(() => {
        cancellation.abort(new DOMException(DEADLINE_MESSAGE, 'TimeoutError'));
        resolve(EXPIRED);
      });
      // A late rejection (after the deadline) settles nothing: the promise is already resolved.
      next().then(resolve, reject);
    });
    if (outcome === EXPIRED) {
      metrics?.rejected.inc({ reason: 'deadline' });
      throw new ServiceUnavailableError(DEADLINE_MESSAGE);
    }
  } finally {
    if (entry) queue.settle(entry);
    res.off('close', onClose);
  }
}
