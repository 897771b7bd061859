import type { Context, Middleware, Next } from 'koa';
import type { Logger } from '@custom-metrics/core';
import { setRequestAuditId } from '../middleware/audit-id.js';
import { CACHE_CONTROL } from '../middleware/cache-control.js';
import { runWithDeadline, type DeadlineQueue } from '../middleware/deadline.js';
import { answerError } from '../middleware/error-status.js';
import { NOSNIFF } from '../middleware/nosniff.js';
import { logRequest } from '../middleware/request-log.js';
import type { RequestObserver } from '../middleware/request-metrics.js';
import type { ServerMetrics } from '../observability/server-metrics.js';
import { LiteContext, splitUrl, type NodeRequest, type NodeResponse } from './lite-context.js';

/** A handler of the pre-composed path: a path prefix (served with every path below it) and its route. */
export interface FastRoute {
  readonly prefix: string;
  readonly handler: Middleware;
}

/**
 * A node request handler that serves the hot requests itself (returning a promise settled when
 * the response is sent), or returns `undefined` without touching the request (the caller hands it
 * to the koa application).
 */
export type FastHandler = ((req: NodeRequest, res: NodeResponse) => Promise<void> | undefined) & {
  /**
   * Whether the handler serves a request of this method and URL (it then never returns
   * `undefined` for it): the HTTP/2 streams answered without node's compatibility API
   * (`http/h2-stream.ts`) are these.
   */
  readonly serves: (method: string, url: string) => boolean;
};

/** What the pre-composed path runs: the koa app's own middleware instances and helpers. */
export interface FastPathOptions {
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  /** The request metrics (shared with the koa middleware). */
  readonly observer: RequestObserver;
  /** The request deadlines (shared with the koa middleware). */
  readonly deadlines: DeadlineQueue;
  readonly authenticate: Middleware;
  /** The concurrency limit middleware instance of the koa app (its count is shared). */
  readonly limit: Middleware;
  readonly authorize: Middleware;
  readonly routes: readonly FastRoute[];
}

const DONE: Next = () => Promise.resolve();

function step(fn: Middleware, ctx: Context, next: Next): Promise<unknown> {
  try {
    return Promise.resolve(fn(ctx, next));
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * fastPath builds the pre-composed request path of the metric routes. A GET whose path is one of
 * the `routes` prefixes or below it (exactly the paths `@koa/router` matches for them) is served
 * by one function doing what the koa app's middleware do, in their order — audit ID, Cache-Control,
 * request log, request metrics, nosniff, error → Status, deadline — with the same helpers, then the
 * same authentication, concurrency-limit and authorization middleware instances and the route's
 * handler, on a {@link LiteContext} instead of a koa context: no koa context, delegates,
 * koa-compose or router matching, and seven fewer async frames per request. Anything else
 * (another method, another path, a URL koa would parse with `url.parse`) is left to koa.
 */
export function fastPath(options: FastPathOptions): FastHandler {
  const { logger, metrics, observer, deadlines, authenticate, limit, authorize } = options;
  const prefixes = options.routes.map((r) => ({ exact: r.prefix, below: `${r.prefix}/`, handler: r.handler }));

  async function serve(ctx: LiteContext, route: Middleware): Promise<void> {
    const started = performance.now();
    const kctx = ctx as unknown as Context;
    setRequestAuditId(kctx);
    ctx.set('Cache-Control', CACHE_CONTROL);
    observer.start();
    try {
      ctx.set('X-Content-Type-Options', NOSNIFF);
      try {
        await runWithDeadline(
          kctx,
          deadlines,
          () => step(authenticate, kctx, () => step(limit, kctx, () => step(authorize, kctx, () => step(route, kctx, DONE)))),
          metrics,
        );
      } catch (e) {
        answerError(logger, kctx, e);
      }
    } finally {
      observer.finish('GET', ctx.path, ctx.status, started);
      logRequest(logger, ctx, started);
    }
  }

  /** The route of a GET under one of the prefixes (`undefined`: not this path's request). */
  function match(method: string | undefined, rawUrl: string | undefined): { route: Middleware; path: string; querystring: string } | undefined {
    if (method !== 'GET') return undefined;
    const url = splitUrl(rawUrl);
    if (!url) return undefined;
    for (const p of prefixes) {
      if (url.path === p.exact || url.path.startsWith(p.below)) return { route: p.handler, path: url.path, querystring: url.querystring };
    }
    return undefined;
  }

  const handler = (req: NodeRequest, res: NodeResponse): Promise<void> | undefined => {
    const m = match(req.method, req.url);
    if (!m) return undefined;
    const ctx = new LiteContext(req, res, 'GET', m.path, m.querystring);
    return serve(ctx, m.route).then(
      () => ctx.respond(),
      () => {
        // Unreachable (errors are answered above), as koa's last-resort handler.
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      },
    );
  };
  return Object.assign(handler, { serves: (method: string, url: string) => match(method, url) !== undefined });
}
