// A minimal koa app wired like the real server's security chain, for the auth and TLS tests:
// Status error rendering -> authentication -> authorization -> an echo handler.
import Koa from 'koa';
import { errorToStatus } from '@custom-metrics/core';
import { authenticationMiddleware, type Authenticator } from '../../src/auth/authentication.js';
import { authorizationMiddleware, type Authorizer } from '../../src/auth/authorization.js';

/** Builds the app; the echo body is `{user, headers, requestInfo, httpVersion}`. */
export function secureEchoApp(authenticator: Authenticator, authorizer: Authorizer): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      const st = errorToStatus(e) as { code: number; details?: { retryAfterSeconds?: number } };
      ctx.status = st.code;
      ctx.type = 'application/json';
      if (st.details?.retryAfterSeconds) ctx.set('Retry-After', String(st.details.retryAfterSeconds));
      ctx.body = JSON.stringify(st) + '\n';
    }
  });
  app.use(authenticationMiddleware(authenticator));
  app.use(authorizationMiddleware(authorizer));
  app.use(async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = JSON.stringify({
      user: ctx.state.user,
      headers: ctx.req.headers,
      requestInfo: ctx.state.requestInfo,
      httpVersion: ctx.req.httpVersion,
    });
  });
  return app;
}
