import Koa, { type Middleware } from 'koa';
import type { Logger } from '@custom-metrics/core';
import { auditId } from './middleware/audit-id.js';
import { cacheControl } from './middleware/cache-control.js';
import { concurrencyLimit } from './middleware/concurrency.js';
import { deadline, DeadlineQueue } from './middleware/deadline.js';
import { errorStatus } from './middleware/error-status.js';
import { nosniff } from './middleware/nosniff.js';
import { requestLog } from './middleware/request-log.js';
import { RequestObserver, requestMetrics } from './middleware/request-metrics.js';
import { fastPath, type FastHandler } from './http/fast-path.js';
import type { RouteDeps } from './routes/deps.js';
import { buildRouter, metricGroupRoutes, notFound } from './routes/index.js';

/** What {@link createApp} needs. */
export interface AppOptions {
  readonly deps: RouteDeps;
  /** The authentication middleware (sets `ctx.state.user`); tests inject doubles. */
  readonly authenticate: Middleware;
  /** The authorization middleware; tests inject doubles. */
  readonly authorize: Middleware;
  /** Per-request deadline in milliseconds (default 10 000). */
  readonly requestTimeoutMs?: number;
  /** Concurrency limit (default 400). */
  readonly maxRequestsInflight?: number;
  /** `Retry-After` on a 429 (default 1). */
  readonly retryAfterSeconds?: number;
}

/**
 * The server's koa application. Its `callback()` serves the GET requests of the metric API groups
 * on the pre-composed request path (`http/fast-path.ts`: the same middleware and handlers without
 * koa's per-request context and routing) and everything else through koa.
 */
export class MetricsApp extends Koa {
  #fast: FastHandler | undefined;

  /** Called once by {@link createApp}. */
  setFastPath(fast: FastHandler): void {
    this.#fast = fast;
  }

  /**
   * Which requests (by method and URL) {@link callback} serves on the pre-composed path; the
   * serving layer answers those HTTP/2 streams without node's compatibility API (`http/h2-stream.ts`).
   */
  get fastRequests(): ((method: string, url: string) => boolean) | undefined {
    return this.#fast?.serves;
  }

  override callback(): ReturnType<Koa['callback']> {
    const viaKoa = super.callback();
    const fast = this.#fast;
    if (!fast) return viaKoa;
    return ((req: Parameters<typeof viaKoa>[0], res: Parameters<typeof viaKoa>[1]) => fast(req, res) ?? viaKoa(req, res)) as ReturnType<Koa['callback']>;
  }
}

/**
 * createApp builds the koa application. Middleware order: audit ID → Cache-Control → request log →
 * self-metrics → nosniff → error→Status → deadline → authenticate → concurrency limit (after
 * authentication, as apiserver's max-in-flight filter: `system:masters` is never refused) →
 * authorize → routes →
 * 404. Every error below the error middleware leaves as a `metav1.Status`. GET requests of the
 * metric API groups run the same middleware instances and handlers on the pre-composed path
 * ({@link MetricsApp}).
 */
export function createApp(options: AppOptions): MetricsApp {
  const { deps } = options;
  const app = new MetricsApp();
  app.silent = true;
  const logger: Logger = deps.logger;
  app.on('error', (err: unknown) => logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'koa error'));
  const groups = metricGroupRoutes(deps);
  const router = buildRouter(deps, groups);
  const deadlines = new DeadlineQueue(options.requestTimeoutMs ?? 10_000);
  const observer = new RequestObserver(deps.metrics);
  const limit = concurrencyLimit({ max: options.maxRequestsInflight ?? 400, retryAfterSeconds: options.retryAfterSeconds ?? 1, metrics: deps.metrics });
  app.use(auditId());
  app.use(cacheControl());
  app.use(requestLog(logger));
  app.use(requestMetrics(observer));
  app.use(nosniff());
  app.use(errorStatus(logger));
  app.use(deadline(deadlines, deps.metrics));
  app.use(options.authenticate);
  app.use(limit);
  app.use(options.authorize);
  app.use(router.routes());
  app.use(notFound());
  app.setFastPath(
    fastPath({ logger, metrics: deps.metrics, observer, deadlines, authenticate: options.authenticate, limit, authorize: options.authorize, routes: groups }),
  );
  return app;
}
