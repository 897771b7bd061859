import type { Context, Middleware } from 'koa';
import type { HealthChecks } from '../../observability/health.js';
import { requireGet } from '../request.js';

/**
 * healthHandler serves `/healthz`, `/livez` and `/readyz` as the generic apiserver does: `ok`
 * (text/plain) when every check passes; with `?verbose` one `[+]name ok` / `[-]name failed: reason`
 * line per check and a final `<kind> check passed|failed`. A failure is a 500 (reason-less text
 * body, as apiserver writes it) so probes fail.
 */
export function healthHandler(health: HealthChecks, kind: 'healthz' | 'livez' | 'readyz'): Middleware {
  return async function healthCheck(ctx: Context) {
    requireGet(ctx);
    const results = await health.run(kind);
    const failed = results.filter((r) => !r.ok);
    const verbose = new URLSearchParams(ctx.querystring).has('verbose');
    ctx.set('Content-Type', 'text/plain; charset=utf-8');
    if (failed.length === 0 && !verbose) {
      ctx.status = 200;
      ctx.body = 'ok';
      return;
    }
    const lines = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: ${verbose ? (r.message ?? 'reason withheld') : 'reason withheld'}`));
    lines.push(failed.length === 0 ? `${kind} check passed` : `${kind} check failed`);
    ctx.status = failed.length === 0 ? 200 : 500;
    ctx.body = `${lines.join('\n')}\n`;
  };
}
