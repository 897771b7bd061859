import type { Middleware } from 'koa';

/** The `X-Content-Type-Options` value of every response. */
export const NOSNIFF = 'nosniff';

/** nosniff sets `X-Content-Type-Options: nosniff` on every response, as the generic apiserver does. */
export function nosniff(): Middleware {
  return async function setNosniff(ctx, next) {
    ctx.set('X-Content-Type-Options', NOSNIFF);
    await next();
  };
}
