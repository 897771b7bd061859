import type { CustomMetricInfo, CustomMetricsProvider, ExternalMetricInfo, ExternalMetricsProvider, GroupResource, ResourceMetricsProvider } from '@custom-metrics/core';
import { BackendRegistry, type RegisteredBackend, type Route } from './registry.js';

/** One routing generation: a registry over a set of instances, and the requests it is serving. */
interface Generation {
  readonly registry: BackendRegistry;
  inflight: number;
  /** Resolved when the generation has been replaced and its last request has finished. */
  readonly drained: Promise<void>;
  markDrained(): void;
  retired: boolean;
}

function generation(registry: BackendRegistry): Generation {
  let markDrained = () => {};
  const drained = new Promise<void>((resolve) => (markDrained = resolve));
  return { registry, inflight: 0, drained, markDrained, retired: false };
}

/** A request handler as `http`/`http2` call it (koa's `app.callback()`). */
type Handler<Req, Res> = (req: Req, res: Res) => unknown;

/** Where {@link SwappableRegistry.pin} keeps a request's generation (a property of the node request object). */
const PINNED = Symbol('custom-metrics.pinned-generation');

/**
 * SwappableRegistry is the {@link BackendRegistry} the routes are given: it delegates to the
 * registry of the current generation and can be swapped for another atomically ({@link swap}).
 * A request wrapped by {@link pin} keeps the generation it started on until it finishes: its
 * handlers route by {@link forRequest}`(req)`, so in-flight requests finish on the instances they
 * began with; {@link swap} resolves the old generation's `drained` once its last request is done
 * (then its instances may be closed). Calls on this object itself see the current generation.
 *
 * The generation is a property of the request object, not an AsyncLocalStorage: an enabled
 * AsyncLocalStorage makes Node run a promise hook for every promise of the process.
 */
export class SwappableRegistry extends BackendRegistry {
  readonly #now: () => number;
  readonly #onConflict: ((message: string) => void) | undefined;
  #current: Generation;

  constructor(backends: readonly RegisteredBackend[], now: () => number = Date.now, onConflict?: (message: string) => void) {
    super([]);
    this.#now = now;
    this.#onConflict = onConflict;
    this.#current = generation(new BackendRegistry(backends, now, onConflict));
  }

  /** A registry over `backends` with this one's clock and conflict reporting (not yet serving). */
  prepare(backends: readonly RegisteredBackend[]): BackendRegistry {
    return new BackendRegistry(backends, this.#now, this.#onConflict);
  }

  /**
   * swap makes `next` (from {@link prepare}) the registry new requests are routed by. Resolves
   * once every request pinned to the previous registry has finished.
   */
  swap(next: BackendRegistry): Promise<void> {
    const old = this.#current;
    this.#current = generation(next);
    old.retired = true;
    if (old.inflight === 0) old.markDrained();
    return old.drained;
  }

  /** Requests currently pinned to the serving generation (for tests and logs). */
  get inflight(): number {
    return this.#current.inflight;
  }

  /**
   * pin wraps a request handler: each request is routed, from start to end, by the generation
   * current when it arrived ({@link forRequest}), and counted until its handler settles.
   */
  pin<Req extends object, Res extends { once(event: 'close', listener: () => void): unknown }>(handler: Handler<Req, Res>): Handler<Req, Res> {
    return (req, res) => {
      const g = this.#current;
      (req as { [PINNED]?: Generation })[PINNED] = g;
      g.inflight++;
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        g.inflight--;
        if (g.retired && g.inflight === 0) g.markDrained();
      };
      let out: unknown;
      try {
        out = handler(req, res);
      } catch (e) {
        leave();
        throw e;
      }
      // One reaction for both outcomes (the handler's own promise keeps its rejection).
      if (out instanceof Promise) out.then(leave, leave);
      else res.once('close', leave);
      return out;
    };
  }

  /**
   * The registry a request routes by: its generation's while that generation has been replaced
   * and the request is still in flight, else this one (the current generation).
   */
  override forRequest(req: object | undefined): BackendRegistry {
    const g = (req as { [PINNED]?: Generation } | undefined)?.[PINNED];
    return g === undefined || g === this.#current ? this : g.registry;
  }

  #registry(): BackendRegistry {
    return this.#current.registry;
  }

  override get backends(): readonly RegisteredBackend[] {
    return this.#registry().backends;
  }

  override checkConflicts(): void {
    this.#registry().checkConflicts();
  }

  override customFor(gr: GroupResource, metric: string): (Route<CustomMetricsProvider> & { info: CustomMetricInfo }) | undefined {
    return this.#registry().customFor(gr, metric);
  }

  override externalFor(metric: string): (Route<ExternalMetricsProvider> & { info: ExternalMetricInfo }) | undefined {
    return this.#registry().externalFor(metric);
  }

  override onDemandCustom(): Route<CustomMetricsProvider>[] {
    return this.#registry().onDemandCustom();
  }

  override onDemandExternal(): Route<ExternalMetricsProvider>[] {
    return this.#registry().onDemandExternal();
  }

  override pending(api: 'custom' | 'external'): Array<{ name: string; reason: string }> {
    return this.#registry().pending(api);
  }

  override resourceProvider(): Route<ResourceMetricsProvider> | undefined {
    return this.#registry().resourceProvider();
  }

  override documentFor<T>(key: string, build: () => T): T {
    return this.#registry().documentFor(key, build);
  }

  override customMetrics(): CustomMetricInfo[] {
    return this.#registry().customMetrics();
  }

  override externalMetrics(): ExternalMetricInfo[] {
    return this.#registry().externalMetrics();
  }

  /** Re-reads the metric lists of the current generation, and of `req`'s when it is an older one. */
  override invalidate(req?: object): void {
    this.#current.registry.invalidate();
    const pinned = (req as { [PINNED]?: Generation } | undefined)?.[PINNED];
    if (pinned && pinned !== this.#current) pinned.registry.invalidate();
  }
}
