import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';

/** The header kube-apiserver reads and echoes (`audit.k8s.io` `HeaderAuditID`). */
export const AUDIT_ID_HEADER = 'Audit-Id';

/** How much of a client-chosen Audit-ID is logged (apiserver `GetAuditIDTruncated`). */
const MAX_LOGGED_AUDIT_ID = 64;

const PRINTABLE = /^[\x20-\x7e]+$/;

/**
 * auditId gives every request an audit ID as apiserver's `WithAuditInit` does: the incoming
 * `Audit-ID` header when present (kube-apiserver forwards its own, so one ID follows a request
 * through the aggregator) when it is printable ASCII, otherwise a new UUID. The ID is echoed as the `Audit-Id` response
 * header and kept in `ctx.state.auditId` (truncated to 64 characters) for the request log.
 */
export function auditId(newId: () => string = randomUUID): Middleware {
  return async function setAuditId(ctx, next) {
    setRequestAuditId(ctx, newId);
    await next();
  };
}

/** What {@link auditId} does to a request before passing it on (shared with the pre-composed path). */
export function setRequestAuditId(ctx: Pick<Context, 'get' | 'set' | 'state'>, newId: () => string = randomUUID): void {
  const incoming = ctx.get(AUDIT_ID_HEADER);
  // Only printable ASCII is echoed: anything else (obs-text bytes, controls) gets a fresh ID
  // rather than a response header Node would refuse to write.
  const id = incoming === '' || !PRINTABLE.test(incoming) ? newId() : incoming;
  ctx.set(AUDIT_ID_HEADER, id);
  (ctx.state as { auditId?: string }).auditId = id.length > MAX_LOGGED_AUDIT_ID ? id.slice(0, MAX_LOGGED_AUDIT_ID) : id;
}
