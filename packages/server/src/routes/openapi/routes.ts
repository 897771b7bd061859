import type { Context, Middleware } from 'koa';
import { NotAcceptableError } from '@custom-metrics/core';
import type { RouteDeps } from '../deps.js';
import { pathSegments, requireGet, routeNotFound } from '../request.js';
import { buildOpenAPIDocuments, serverVersion, v3DocumentURL, type OpenAPIDocuments, type ServedDocument } from './documents.js';

/** The path prefix of the OpenAPI documents. */
export const OPENAPI_PREFIX = '/openapi';

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * openAPIHandler serves `/openapi/v2`, `/openapi/v3` and `/openapi/v3/apis/<group>/<version>` as
 * kube-openapi's handlers do (contract §7.7): JSON only (another Accept is a 406), an `ETag` of
 * the content with `If-None-Match` → 304, and for a v3 document asked with `?hash=`: the current
 * hash gets `Cache-Control: public, immutable`, a stale one a 301 to the current URL. The documents
 * are built on first use, once.
 */
export function openAPIHandler(deps: RouteDeps): Middleware {
  let docs: OpenAPIDocuments | undefined;
  const documents = () =>
    (docs ??= buildOpenAPIDocuments({ title: 'custom-metrics-server', version: serverVersion(), resourceMetrics: deps.registry.resourceProvider() !== undefined }));
  return async function openAPI(ctx: Context) {
    const seg = pathSegments(ctx.path, OPENAPI_PREFIX);
    if (seg.length === 0 || (seg[0] !== 'v2' && seg[0] !== 'v3') || (seg[0] === 'v2' && seg.length > 1)) throw routeNotFound();
    const gv = seg.slice(1).join('/');
    const d = documents();
    const doc = seg[0] === 'v2' ? d.v2 : gv === '' ? d.v3Discovery : d.v3.get(gv);
    if (!doc) throw routeNotFound();
    requireGet(ctx);
    ctx.vary('Accept');
    if (!acceptsJSON(ctx.get('accept'))) {
      throw new NotAcceptableError(`only application/json is served at ${ctx.path}; ask with Accept: application/json`);
    }
    const hash = gv === '' ? null : new URLSearchParams(ctx.querystring).get('hash');
    if (hash !== null && hash !== '') {
      if (hash !== doc.etag) {
        ctx.status = 301;
        ctx.set('Location', v3DocumentURL(gv, doc.etag));
        return;
      }
      ctx.set('Cache-Control', 'public, immutable');
      ctx.set('Expires', new Date(Date.now() + ONE_YEAR_MS).toUTCString());
    }
    send(ctx, doc);
  };
}

function send(ctx: Context, doc: ServedDocument): void {
  ctx.set('ETag', `"${doc.etag}"`);
  ctx.set('Last-Modified', doc.lastModified.toUTCString());
  if (etagMatches(ctx.get('if-none-match'), doc.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  ctx.set('Content-Type', 'application/json');
  ctx.body = doc.body;
}

/** `If-None-Match` as Go's `http.ServeContent` reads it: `*`, or a list of (weak or strong) tags. */
function etagMatches(header: string, etag: string): boolean {
  if (header === '') return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === `"${etag}"`;
  });
}

/** Whether an Accept header admits JSON (absent means anything). */
function acceptsJSON(accept: string): boolean {
  if (accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) return false;
    return type === 'application/json' || type === 'application/*' || type === '*/*';
  });
}
