import type { Middleware } from 'koa';
import type { ServerMetrics } from '../observability/server-metrics.js';

const API_GROUPS = new Set(['custom.metrics.k8s.io', 'external.metrics.k8s.io', 'metrics.k8s.io']);

/** The API group and verb a request is counted under (`none` outside the metrics API groups). */
export function requestLabels(method: string, path: string): { group: string; verb: string } {
  const seg = path.split('/');
  // ['', 'apis', group, version, ...rest]
  if (seg[1] === 'apis' && API_GROUPS.has(seg[2] ?? '')) {
    const rest = seg.slice(4).filter((s) => s !== '');
    if (method !== 'GET' && method !== 'HEAD') return { group: seg[2], verb: method.toLowerCase() };
    if (rest.length === 0) return { group: seg[2], verb: 'discovery' };
    const namedGet = seg[2] === 'metrics.k8s.io' ? rest.length % 2 === 0 : seg[2] === 'custom.metrics.k8s.io';
    return { group: seg[2], verb: namedGet ? 'get' : 'list' };
  }
  return { group: 'none', verb: method.toLowerCase().slice(0, 10) };
}

/**
 * requestMetrics counts in-flight requests and observes each request's latency by API group,
 * verb and HTTP status code.
 */
export function requestMetrics(metrics: ServerMetrics): Middleware {
  return async function observeRequest(ctx, next) {
    const end = metrics.requestDuration.startTimer();
    metrics.inflight.inc();
    try {
      await next();
    } finally {
      metrics.inflight.dec();
      const { group, verb } = requestLabels(ctx.method, ctx.path);
      end({ group, verb, code: String(ctx.status) });
    }
  };
}
