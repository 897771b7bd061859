import type { Middleware } from 'koa';

/** The `Cache-Control` value of every response. */
export const CACHE_CONTROL = 'no-cache, private';

/**
 * cacheControl sets `Cache-Control: no-cache, private` on every response, as apiserver's
 * `WithCacheControl` does (every answer depends on who asks). A route may replace it, e.g. the
 * content-addressed OpenAPI v3 documents.
 */
export function cacheControl(): Middleware {
  return async function setCacheControl(ctx, next) {
    ctx.set('Cache-Control', CACHE_CONTROL);
    await next();
  };
}
