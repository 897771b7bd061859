import type { Middleware } from 'koa';

/** nosniff sets `X-Content-Type-Options: nosniff` on every response, as the generic apiserver does. */
export function nosniff(): Middleware {
  return async function setNosniff(ctx, next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  };
}
