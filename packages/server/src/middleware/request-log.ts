import type { Context, Middleware } from 'koa';
import type { Logger } from '@custom-metrics/core';

/**
 * requestLog writes one info line per request when it completes: method, path, status, latency
 * in milliseconds, the audit ID (see `auditId`), and the user when authentication identified one. Health probes log at debug.
 */
export function requestLog(logger: Logger): Middleware {
  return async function logEachRequest(ctx, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      logRequest(logger, ctx, started);
    }
  };
}

/** Writes the request's log line (see {@link requestLog}); `started` is its `performance.now()` at arrival. */
export function logRequest(logger: Logger, ctx: Pick<Context, 'method' | 'path' | 'status' | 'state'>, started: number): void {
  const user = (ctx.state as { user?: { name?: string } }).user?.name;
  const fields: Record<string, unknown> = {
    method: ctx.method,
    path: ctx.path.length > 2048 ? `${ctx.path.slice(0, 2048)}…` : ctx.path,
    status: ctx.status,
    latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
  };
  if (user !== undefined) fields.user = user;
  const auditID = (ctx.state as { auditId?: string }).auditId;
  if (auditID !== undefined) fields.auditID = auditID;
  if (ctx.path === '/healthz' || ctx.path === '/livez' || ctx.path === '/readyz') logger.debug(fields, 'request');
  else logger.info(fields, 'request');
}
