import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { H2StreamRequest, H2StreamResponse } from './h2-stream.js';
import { parse as parseQueryString, type ParsedUrlQuery } from 'node:querystring';

/** A node request (HTTP/1.1, the HTTP/2 compatibility API, or an HTTP/2 stream answered directly). */
export type NodeRequest = IncomingMessage | Http2ServerRequest | H2StreamRequest;
/** A node response (HTTP/1.1, the HTTP/2 compatibility API, or an HTTP/2 stream answered directly). */
export type NodeResponse = ServerResponse | Http2ServerResponse | H2StreamResponse;

/** Where koa's `parseurl` would not take its fast path (and could rewrite the URL): leave such requests to koa. */
const UNUSUAL_URL_CHAR = /[\t\n\f\r #\u00a0\ufeff]/;

/**
 * splitUrl splits a request URL into path and query string exactly as koa does (`parseurl`'s
 * fast path: everything before the first `?`, still percent-encoded), or returns `undefined` for
 * a URL koa would hand to `url.parse` (not starting with `/`, or with a space, tab, `#`, ...).
 */
export function splitUrl(url: string | undefined): { path: string; querystring: string } | undefined {
  if (url === undefined || url.charCodeAt(0) !== 0x2f || UNUSUAL_URL_CHAR.test(url)) return undefined;
  const q = url.indexOf('?');
  return q < 0 ? { path: url, querystring: '' } : { path: url.slice(0, q), querystring: url.slice(q + 1) };
}

/**
 * LiteContext is the part of koa's `Context` that the request pipeline of the metric routes uses
 * (the middleware of `middleware/`, the security middleware, and the custom, external and
 * resource metric handlers): `req`, `res`, `method`, `path`, `querystring`, `query`, `state`,
 * `get`, `set`, `remove`, `status`, `body` (strings only), `headerSent` and `writable`, each with
 * koa's semantics. It is what the pre-composed request path ({@link ./fast-path.ts}) gives those
 * functions instead of koa's context (no delegates, no request/response objects per request).
 * A handler that needs more of koa (`ctx.vary`, streams, cookies...) is not on that path.
 */
export class LiteContext {
  readonly state: Record<string, unknown> = {};
  #query: ParsedUrlQuery | undefined;
  #body: string | undefined;
  #explicitStatus = false;
  /** Whether Content-Type / Transfer-Encoding were set through this context (nothing else sets them before the body). */
  #hasType = false;
  #hasTransferEncoding = false;

  constructor(
    readonly req: NodeRequest,
    readonly res: NodeResponse,
    readonly method: string,
    readonly path: string,
    readonly querystring: string,
  ) {
    // As koa's handleRequest: a response nobody answered is a 404.
    res.statusCode = 404;
  }

  /** The parsed query string (node's `querystring.parse`, as koa's `ctx.query`). */
  get query(): ParsedUrlQuery {
    return (this.#query ??= parseQueryString(this.querystring));
  }

  /** A request header (`''` when absent), as koa's `ctx.get`. */
  get(field: string): string {
    const name = field.toLowerCase();
    const headers = this.req.headers as Record<string, string | string[] | undefined>;
    if (name === 'referer' || name === 'referrer') return (headers.referrer as string | undefined) || (headers.referer as string | undefined) || '';
    return (headers[name] as string | undefined) || '';
  }

  /** Sets a response header (ignored once the headers are sent), as koa's `ctx.set`. */
  set(field: string, value: string | number | readonly string[]): void {
    if (this.res.headersSent) return;
    this.#track(field, true);
    this.res.setHeader(field, Array.isArray(value) ? value.map(String) : String(value));
  }

  #track(field: string, present: boolean): void {
    if (field.length === 12 && field.toLowerCase() === 'content-type') this.#hasType = present;
    else if (field.length === 17 && field.toLowerCase() === 'transfer-encoding') this.#hasTransferEncoding = present;
  }

  /** Removes a response header, as koa's `ctx.remove`. */
  remove(field: string): void {
    if (this.res.headersSent) return;
    this.#track(field, false);
    this.res.removeHeader(field);
  }

  get status(): number {
    return this.res.statusCode;
  }

  set status(code: number) {
    if (this.res.headersSent) return;
    this.#explicitStatus = true;
    this.res.statusCode = code;
    if (this.req.httpVersionMajor < 2) (this.res as ServerResponse).statusMessage = STATUS_CODES[code] ?? '';
  }

  get body(): string | undefined {
    return this.#body;
  }

  /** A string body, with koa's side effects: status 200 unless set, a text Content-Type unless set, Content-Length. */
  set body(value: string) {
    if (typeof value !== 'string') throw new TypeError('LiteContext only sends string bodies');
    this.#body = value;
    if (!this.#explicitStatus) this.status = 200;
    if (!this.#hasType) this.set('Content-Type', /^\s*</.test(value) ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8');
    if (!this.#hasTransferEncoding) this.set('Content-Length', Buffer.byteLength(value));
  }

  get headerSent(): boolean {
    return this.res.headersSent;
  }

  /** Whether the response can still be written, as koa's `ctx.writable`. */
  get writable(): boolean {
    const res = this.res as ServerResponse;
    if (res.writableEnded || res.finished) return false;
    const socket = res.socket;
    if (!socket) return true;
    return socket.writable;
  }

  /**
   * respond ends the response as koa's `respond` does for a GET whose body is a string or unset
   * (the unset case answers the status text, as koa does).
   */
  respond(): void {
    const res = this.res;
    if (!this.writable) {
      res.end();
      return;
    }
    const code = this.status;
    if (code === 204 || code === 205 || code === 304) {
      res.end();
      return;
    }
    let body = this.#body;
    if (body === undefined) {
      body = this.req.httpVersionMajor >= 2 ? String(code) : (STATUS_CODES[code] ?? String(code));
      if (!res.headersSent) {
        this.set('Content-Type', 'text/plain; charset=utf-8');
        this.set('Content-Length', Buffer.byteLength(body));
      }
    }
    res.end(body);
  }
}
