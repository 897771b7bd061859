import type { Context, Middleware } from 'koa';
import type { ServerMetrics } from '../../observability/server-metrics.js';
import { requireGet } from '../request.js';

/** selfMetricsHandler serves the Prometheus exposition of the server's self-metrics on `/metrics`. */
export function selfMetricsHandler(metrics: ServerMetrics): Middleware {
  return async function selfMetrics(ctx: Context) {
    requireGet(ctx);
    const { contentType, body } = await metrics.expose();
    ctx.set('Content-Type', contentType);
    ctx.body = body;
  };
}
