import type { Middleware } from 'koa';
import type { Observer, ServerMetrics } from '../observability/server-metrics.js';

const API_GROUPS = new Set(['custom.metrics.k8s.io', 'external.metrics.k8s.io', 'metrics.k8s.io']);

/** The API group and verb a request is counted under (`none` outside the metrics API groups). */
export function requestLabels(method: string, path: string): { group: string; verb: string } {
  const seg = path.split('/');
  // ['', 'apis', group, version, ...rest]
  if (seg[1] === 'apis' && API_GROUPS.has(seg[2] ?? '')) {
    const rest = seg.slice(4).filter((s) => s !== '');
    if (method !== 'GET' && method !== 'HEAD') return { group: seg[2], verb: method.toLowerCase() };
    if (rest.length === 0) return { group: seg[2], verb: 'discovery' };
    const namedGet = seg[2] === 'metrics.k8s.io' ? rest.length % 2 === 0 : seg[2] === 'custom.metrics.k8s.io';
    return { group: seg[2], verb: namedGet ? 'get' : 'list' };
  }
  return { group: 'none', verb: method.toLowerCase().slice(0, 10) };
}

/** Paths whose labels {@link RequestObserver} keeps. */
const MAX_PATHS = 4096;
/** The longest path kept (the memo's memory stays small whatever clients send). */
const MAX_KEPT_PATH_LENGTH = 2048;

/**
 * RequestObserver counts in-flight requests and observes each request's latency by API group,
 * verb and HTTP status code. The histogram child of each (group, verb, code) is resolved once
 * and kept (the label values are bounded: three groups plus `none`, a handful of verbs, status
 * codes), so a request costs one map lookup instead of a `labels()` call (label validation, a
 * hash and a new child of closures); the child's `observe` still hashes its labels (prom-client 15).
 */
export class RequestObserver {
  readonly #children = new Map<string, Observer>();

  constructor(private readonly metrics: ServerMetrics) {}

  /** A request arrived. */
  start(): void {
    this.metrics.inflight.inc();
  }

  /** The labels of recent paths (HPAs ask the same few over and over); cleared when full. */
  readonly #labels = new Map<string, { group: string; verb: string }>();

  /** A request started at `started` (`performance.now()`) finished with `status`. */
  finish(method: string, path: string, status: number, started: number): void {
    this.metrics.inflight.dec();
    const pathKey = method === 'GET' ? path : `${method} ${path}`;
    let labels = this.#labels.get(pathKey);
    if (labels === undefined) {
      labels = requestLabels(method, path);
      if (pathKey.length <= MAX_KEPT_PATH_LENGTH) {
        if (this.#labels.size >= MAX_PATHS) this.#labels.clear();
        this.#labels.set(pathKey, labels);
      }
    }
    const { group, verb } = labels;
    const key = `${group} ${verb} ${status}`;
    let c = this.#children.get(key);
    if (!c) {
      c = this.metrics.requestDuration.labels({ group, verb, code: String(status) });
      this.#children.set(key, c);
    }
    c.observe((performance.now() - started) / 1000);
  }
}

/** requestMetrics is {@link RequestObserver} as koa middleware. */
export function requestMetrics(metrics: ServerMetrics | RequestObserver): Middleware {
  const observer = metrics instanceof RequestObserver ? metrics : new RequestObserver(metrics);
  return async function observeRequest(ctx, next) {
    const started = performance.now();
    observer.start();
    try {
      await next();
    } finally {
      observer.finish(ctx.method, ctx.path, ctx.status, started);
    }
  };
}
