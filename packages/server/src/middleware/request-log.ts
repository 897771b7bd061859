import type { Context, Middleware } from 'koa';
import type { Logger } from '@custom-metrics/core';
import { infoLineWriter } from '../observability/logger.js';

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

/** The direct line writer of each logger ({@link infoLineWriter}), or null for a logger without one. */
const writers = new WeakMap<object, ((fields: string, msg: string) => boolean) | null>();

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

/** Writes the request's log line (see {@link requestLog}); `started` is its `performance.now()` at arrival. */
export function logRequest(logger: Logger, ctx: Pick<Context, 'method' | 'path' | 'status' | 'state'>, started: number): void {
  const user = (ctx.state as { user?: { name?: string } }).user?.name;
  const path = ctx.path.length > 2048 ? `${ctx.path.slice(0, 2048)}…` : ctx.path;
  const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
  const auditID = (ctx.state as { auditId?: string }).auditId;
  if (HEALTH_PATHS.has(ctx.path)) {
    logger.debug(fieldsOf(ctx.method, path, ctx.status, latencyMs, user, auditID), 'request');
    return;
  }
  let write = writers.get(logger);
  if (write === undefined) {
    write = infoLineWriter(logger) ?? null;
    writers.set(logger, write);
  }
  if (write === null) {
    logger.info(fieldsOf(ctx.method, path, ctx.status, latencyMs, user, auditID), 'request');
    return;
  }
  // The same fields, in the same order, as fieldsOf gives pino (numbers and strings only). The
  // method and path, and the user, are quoted once for a run of requests asking the same (HPAs
  // poll the same few paths), and a number's JSON is its String.
  let fields = `"method":${methods.quote(ctx.method)},"path":${paths.quote(path)},"status":${String(ctx.status)},"latencyMs":${String(latencyMs)}`;
  if (user !== undefined) fields += `,"user":${users.quote(user)}`;
  if (auditID !== undefined) fields += `,"auditID":${JSON.stringify(auditID)}`;
  write(fields, 'request');
}

/** The JSON of the last value quoted (a single-entry memo: strings are immutable, so it holds while the value repeats). */
class LastQuoted {
  #value: string | undefined;
  #text = '';
  quote(value: string): string {
    if (value !== this.#value) {
      this.#value = value;
      this.#text = JSON.stringify(value);
    }
    return this.#text;
  }
}

const methods = new LastQuoted();
const paths = new LastQuoted();
const users = new LastQuoted();

function fieldsOf(method: string, path: string, status: number, latencyMs: number, user: string | undefined, auditID: string | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = { method, path, status, latencyMs };
  if (user !== undefined) fields.user = user;
  if (auditID !== undefined) fields.auditID = auditID;
  return fields;
}
