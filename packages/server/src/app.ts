import Koa, { type Middleware } from 'koa';
import type { Logger } from '@custom-metrics/core';
import { auditId } from './middleware/audit-id.js';
import { cacheControl } from './middleware/cache-control.js';
import { concurrencyLimit } from './middleware/concurrency.js';
import { deadline } from './middleware/deadline.js';
import { errorStatus } from './middleware/error-status.js';
import { nosniff } from './middleware/nosniff.js';
import { requestLog } from './middleware/request-log.js';
import { requestMetrics } from './middleware/request-metrics.js';
import type { RouteDeps } from './routes/deps.js';
import { buildRouter, notFound } from './routes/index.js';

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
 * createApp builds the koa application. Middleware order: audit ID → Cache-Control → request log →
 * self-metrics → nosniff → error→Status → deadline → authenticate → concurrency limit (after
 * authentication, as apiserver's max-in-flight filter: `system:masters` is never refused) →
 * authorize → routes →
 * 404. Every error below the error middleware leaves as a `metav1.Status`.
 */
export function createApp(options: AppOptions): Koa {
  const { deps } = options;
  const app = new Koa();
  app.silent = true;
  const logger: Logger = deps.logger;
  app.on('error', (err: unknown) => logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'koa error'));
  const router = buildRouter(deps);
  app.use(auditId());
  app.use(cacheControl());
  app.use(requestLog(logger));
  app.use(requestMetrics(deps.metrics));
  app.use(nosniff());
  app.use(errorStatus(logger));
  app.use(deadline(options.requestTimeoutMs ?? 10_000, deps.metrics));
  app.use(options.authenticate);
  app.use(concurrencyLimit({ max: options.maxRequestsInflight ?? 400, retryAfterSeconds: options.retryAfterSeconds ?? 1, metrics: deps.metrics }));
  app.use(options.authorize);
  app.use(router.routes());
  app.use(notFound());
  return app;
}
