import type { Context, Middleware } from 'koa';
import { errorToStatus, isMetricsError, type Logger } from '@custom-metrics/core';
import { sendDocument } from '../routes/respond.js';

/**
 * errorStatus renders every error thrown below it as a `metav1.Status` (core's `errorToStatus`),
 * with the HTTP status equal to `code` and `Retry-After` for a positive `retryAfterSeconds`.
 * Unexpected errors are logged with their detail and answered with a generic 500.
 */
export function errorStatus(logger: Logger): Middleware {
  return async function renderErrors(ctx, next) {
    try {
      await next();
    } catch (e) {
      answerError(logger, ctx, e);
    }
  };
}

const STALE_HEADERS = ['content-length', 'content-encoding', 'location', 'etag'];

/** Answers `e` as {@link errorStatus} does (shared with the pre-composed path). */
export function answerError(logger: Logger, ctx: Context, e: unknown): void {
  if (!isMetricsError(e)) logger.error({ err: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e), path: ctx.path }, 'unexpected error');
  const status = errorToStatus(e);
  if (ctx.headerSent || !ctx.writable) return;
  const retry = status.details?.retryAfterSeconds;
  for (const h of STALE_HEADERS) ctx.remove(h);
  if (retry !== undefined && retry > 0) ctx.set('Retry-After', String(retry));
  sendDocument(ctx, status, status.code);
}
