import type { Context, Middleware } from 'koa';
import type { HealthChecks } from '../../observability/health.js';
import { requireGet } from '../request.js';

/**
 * healthHandler serves `/healthz`, `/livez` and `/readyz` as the generic apiserver does: `ok`
 * (text/plain) when every check passes; with `?verbose` one `[+]name ok` / `[-]name failed: reason`
 * line per check and a final `<kind> check passed|failed`. A failure is a 500 (reason-less text
 * body, as apiserver writes it) so probes fail. With `?verbose`, `/readyz` and `/healthz` also list
 * each backend's health, marked `(informational, does not affect readiness)`: a failed backend
 * shows as `[-]backend:NAME failed: reason` yet the probe still passes.
 */
export function healthHandler(health: HealthChecks, kind: 'healthz' | 'livez' | 'readyz'): Middleware {
  return async function healthCheck(ctx: Context) {
    requireGet(ctx);
    const verbose = new URLSearchParams(ctx.querystring).has('verbose');
    const results = await health.run(kind, { informational: verbose });
    const failed = results.filter((r) => !r.ok && !r.informational);
    ctx.set('Content-Type', 'text/plain; charset=utf-8');
    if (failed.length === 0 && !verbose) {
      ctx.status = 200;
      ctx.body = 'ok';
      return;
    }
    const lines = results.map((r) => {
      const line = r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: ${verbose ? oneLine(r.message ?? 'reason withheld') : 'reason withheld'}`;
      return r.informational ? `${line} (informational, does not affect readiness)` : line;
    });
    lines.push(failed.length === 0 ? `${kind} check passed` : `${kind} check failed`);
    ctx.status = failed.length === 0 ? 200 : 500;
    ctx.body = `${lines.join('\n')}\n`;
  };
}

/** Keeps a check's reason on its own line of the text format. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
