import type { Context, Middleware, Next } from 'koa';
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
export type FastHandler = (req: NodeRequest, res: NodeResponse) => Promise<void> | undefined;

/**
 * fastPath builds the pre-composed request path of the metric routes: a GET whose path is one of
 * the `routes` prefixes or below it (exactly the paths `@koa/router` matches for them) runs the
 * same `middleware` instances, in the same order, then the route's handler, on a
 * {@link LiteContext} instead of a koa context — no koa context, delegates, koa-compose or router
 * matching per request. Every observable behaviour is the koa app's (the middleware and handlers
 * are the same objects; the concurrency limit's count is shared). Anything else (another method,
 * another path, a URL koa would parse with `url.parse`) is left to koa.
 */
export function fastPath(middleware: readonly Middleware[], routes: readonly FastRoute[]): FastHandler {
  const chain = [...middleware];
  const n = chain.length;
  const prefixes = routes.map((r) => ({ exact: r.prefix, below: `${r.prefix}/`, handler: r.handler }));
  const run = (ctx: Context, route: Middleware, i: number): Promise<unknown> => {
    const fn = i < n ? chain[i] : route;
    const next: Next = i < n ? () => run(ctx, route, i + 1) : () => Promise.resolve();
    try {
      return Promise.resolve(fn(ctx, next));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  return (req, res) => {
    if (req.method !== 'GET') return undefined;
    const url = splitUrl(req.url);
    if (!url) return undefined;
    let route: Middleware | undefined;
    for (const p of prefixes) {
      if (url.path === p.exact || url.path.startsWith(p.below)) {
        route = p.handler;
        break;
      }
    }
    if (!route) return undefined;
    const ctx = new LiteContext(req, res, 'GET', url.path, url.querystring);
    return run(ctx as unknown as Context, route, 0).then(
      () => ctx.respond(),
      () => {
        // Unreachable (the error middleware answers every error), as koa's last-resort handler.
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      },
    );
  };
}
