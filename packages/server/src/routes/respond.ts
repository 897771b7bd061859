import type { Context } from 'koa';
import { encodeJSON, encodeJSONPretty } from '@custom-metrics/core';
import { queryParams } from './request.js';

const PRETTY_AGENTS = ['curl', 'Wget', 'Mozilla/5.0'];

/**
 * wantsPretty mirrors apiserver's `isPrettyPrint`: `?pretty=true|1`, or a User-Agent starting with
 * `curl`, `Wget` or `Mozilla/5.0`. `pretty=false|0` turns it off even for those agents.
 */
export function wantsPretty(ctx: Context): boolean {
  const p = queryParams(ctx).get('pretty');
  if (p !== null) return p === 'true' || p === '1';
  const ua = ctx.get('user-agent');
  return PRETTY_AGENTS.some((a) => ua.startsWith(a));
}

/**
 * sendDocument writes a Kubernetes document as the apiserver does: Go `encoding/json` (compact
 * with a trailing newline, or indented when pretty printing) with `Content-Type: application/json`
 * (or `contentType`, e.g. aggregated discovery).
 */
export function sendDocument(ctx: Context, doc: unknown, status = 200, contentType = 'application/json'): void {
  ctx.status = status;
  // Set the header itself: koa's `ctx.type` would append `; charset=utf-8`.
  ctx.set('Content-Type', contentType);
  ctx.body = wantsPretty(ctx) ? encodeJSONPretty(doc) : encodeJSON(doc);
}

/** The compact encoding of each shared document ({@link sendSharedDocument}). */
const encoded = new WeakMap<object, string>();

/**
 * sendSharedDocument is {@link sendDocument} (status 200) for a document that never changes once
 * built and is sent many times (a discovery document from `BackendRegistry.documentFor`): its
 * compact encoding is kept with it.
 */
export function sendSharedDocument(ctx: Context, doc: object, contentType = 'application/json'): void {
  if (wantsPretty(ctx)) {
    sendDocument(ctx, doc, 200, contentType);
    return;
  }
  let body = encoded.get(doc);
  if (body === undefined) {
    body = encodeJSON(doc);
    encoded.set(doc, body);
  }
  ctx.status = 200;
  ctx.set('Content-Type', contentType);
  ctx.body = body;
}

/**
 * sendEncoded is {@link sendDocument} (status 200, `application/json`) for a document whose compact
 * encoding `compact()` writes directly (e.g. core's `encodeMetricValueList`): pretty printing
 * still renders `doc()` and indents it.
 */
export function sendEncoded(ctx: Context, compact: () => string, doc: () => unknown): void {
  if (wantsPretty(ctx)) {
    sendDocument(ctx, doc());
    return;
  }
  // Encoded first: an encoding error (a value that is not finite) leaves the response untouched.
  const body = compact();
  ctx.status = 200;
  ctx.set('Content-Type', 'application/json');
  ctx.body = body;
}
