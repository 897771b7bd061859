import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Http2SecureServer, IncomingHttpHeaders as Http2IncomingHeaders, ServerHttp2Stream } from 'node:http2';

/**
 * The request of an HTTP/2 stream answered without node's compatibility API: the part of
 * `Http2ServerRequest` the pre-composed request path reads (`method`, `url`, `headers` — the
 * stream's own header object, pseudo-headers included, as the compatibility request gives it —
 * `rawHeaders`, `httpVersionMajor`, `socket`, and `stream` whose session is the connection).
 */
export class H2StreamRequest {
  readonly httpVersionMajor = 2;
  readonly httpVersionMinor = 0;
  readonly httpVersion = '2.0';
  readonly method: string;
  readonly url: string;

  constructor(
    readonly stream: ServerHttp2Stream,
    readonly headers: IncomingHttpHeaders,
    readonly rawHeaders: string[],
  ) {
    this.method = headers[':method'] as string;
    this.url = headers[':path'] as string;
  }

  /** The connection's TLS socket (the compatibility request gives a proxy over it). */
  get socket(): Socket | TLSSocket | undefined {
    return this.stream.session?.socket;
  }
}

type HeaderValue = string | number | readonly string[];

/**
 * The response of an HTTP/2 stream answered without node's compatibility API: the part of
 * `Http2ServerResponse` the pre-composed request path uses, with its semantics (lower-case header
 * names, `statusCode`, `headersSent`, `writableEnded`/`finished`, `writableFinished`, `socket`
 * undefined once the stream closed, `close` listeners on the stream), sent by {@link end} as one
 * `stream.respond(headers)` and one `stream.end(body)`. Nothing is written before `end`
 * (`writeHead` only records the status and headers). A stream that is already closed or reset
 * (the client went away) is left alone.
 */
export class H2StreamResponse {
  statusCode = 200;
  // A plain object (not null-prototype): node's respond() copies it with a for-in loop, ~0.4 µs
  // faster on an object in fast mode. The names are the server's own, never `__proto__`.
  #headers: OutgoingHttpHeaders = {};
  #ended = false;

  constructor(readonly stream: ServerHttp2Stream) {}

  get headersSent(): boolean {
    return this.stream.headersSent;
  }

  get writableEnded(): boolean {
    return this.#ended;
  }

  get finished(): boolean {
    return this.#ended;
  }

  /**
   * Whether this response was sent and flushed. Not the stream's own `writableFinished`, which
   * node also sets when the client resets the stream before any answer (it ends the writable side
   * on RST_STREAM): the request deadline reads this on `close` to abort the request's signal when
   * the client went away.
   */
  get writableFinished(): boolean {
    return this.#ended && this.stream.writableFinished;
  }

  /** What `ctx.writable` reads (`writable`): the stream itself while open, as the compatibility response's socket proxy. */
  get socket(): ServerHttp2Stream | undefined {
    return this.stream.closed ? undefined : this.stream;
  }

  setHeader(name: string, value: HeaderValue): this {
    if (this.stream.headersSent) throw Object.assign(new Error('Response has already been initiated.'), { code: 'ERR_HTTP2_HEADERS_SENT' });
    this.#headers[name.toLowerCase()] = value as OutgoingHttpHeaders[string];
    return this;
  }

  getHeader(name: string): OutgoingHttpHeaders[string] {
    return this.#headers[name.toLowerCase()];
  }

  hasHeader(name: string): boolean {
    return this.#headers[name.toLowerCase()] !== undefined;
  }

  getHeaders(): OutgoingHttpHeaders {
    return { ...this.#headers };
  }

  removeHeader(name: string): void {
    if (this.stream.headersSent) throw Object.assign(new Error('Response has already been initiated.'), { code: 'ERR_HTTP2_HEADERS_SENT' });
    delete this.#headers[name.toLowerCase()];
  }

  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): this;
  writeHead(statusCode: number, statusMessage: string, headers?: OutgoingHttpHeaders): this;
  writeHead(statusCode: number, messageOrHeaders?: string | OutgoingHttpHeaders, headers?: OutgoingHttpHeaders): this {
    const h = typeof messageOrHeaders === 'object' ? messageOrHeaders : headers;
    if (h) for (const name of Object.keys(h)) if (h[name] !== undefined) this.setHeader(name, h[name] as HeaderValue);
    this.statusCode = statusCode;
    return this;
  }

  /** Sends the status, the headers (node adds `date`) and `data` in one go, and ends the stream. */
  end(callback?: () => void): this;
  end(data: string | Uint8Array, callback?: () => void): this;
  end(data: string | Uint8Array, encoding: BufferEncoding, callback?: () => void): this;
  end(data?: string | Uint8Array | (() => void), encoding?: BufferEncoding | (() => void), callback?: () => void): this {
    let body: string | Uint8Array | undefined;
    let cb = callback;
    if (typeof data === 'function') cb = data;
    else body = data;
    if (typeof encoding === 'function') cb = encoding;
    const stream = this.stream;
    if (this.#ended || stream.destroyed || stream.closed) {
      this.#ended = true;
      if (cb) process.nextTick(cb);
      return this;
    }
    this.#ended = true;
    if (cb) stream.once('finish', cb);
    const headers = this.#headers;
    headers[':status'] = this.statusCode;
    try {
      if (body === undefined || body.length === 0) {
        // No data: END_STREAM on the HEADERS frame (respond ends the writable side).
        stream.respond(headers, { endStream: true });
      } else {
        stream.respond(headers);
        // 204, 205 and 304 carry no payload: respond has ended the stream already.
        if (stream.writableEnded) return this;
        if (typeof encoding === 'string' && typeof body === 'string') stream.end(body, encoding);
        else stream.end(body);
      }
    } catch (e) {
      // Headers node refuses (an invalid value): reset the stream rather than leave it open.
      stream.destroy(e as Error);
    }
    return this;
  }

  on(event: string, listener: (...args: unknown[]) => void): this {
    this.stream.on(event, listener);
    return this;
  }

  once(event: string, listener: (...args: unknown[]) => void): this {
    this.stream.once(event, listener);
    return this;
  }

  off(event: string, listener: (...args: unknown[]) => void): this {
    this.stream.off(event, listener);
    return this;
  }

  removeListener(event: string, listener: (...args: unknown[]) => void): this {
    this.stream.removeListener(event, listener);
    return this;
  }
}

/** Which HTTP/2 requests are answered from the stream event: by `:method` and `:path`. */
export type StreamClaim = (method: string, path: string) => boolean;

type StreamListener = (stream: ServerHttp2Stream, headers: Http2IncomingHeaders, flags: number, rawHeaders: string[]) => void;

/** The name of node's compatibility `stream` listener (`onServerStream`, bound by `setupCompat`). */
const COMPAT_LISTENER = 'bound onServerStream';

function ignore(): void {}

/**
 * serveStreams answers the HTTP/2 streams `claims` accepts directly from the server's `stream`
 * event, calling `handler` with an {@link H2StreamRequest} and an {@link H2StreamResponse}
 * (no `Http2ServerRequest`/`Http2ServerResponse`, no `request` event), and hands every other
 * stream to node's compatibility listener exactly as before: that listener is taken off the
 * server and called for them. Streams with an `Expect` header always go to the compatibility
 * listener (it answers 100-continue / 417). Returns false, changing nothing, when node's
 * compatibility listener is not the server's only `stream` listener (another node version, or
 * someone else listens): then every stream keeps going through the compatibility API.
 */
export function serveStreams(
  server: Http2SecureServer,
  claims: StreamClaim,
  handler: (req: H2StreamRequest, res: H2StreamResponse) => void,
): boolean {
  const listeners = server.listeners('stream');
  if (listeners.length !== 1 || typeof listeners[0] !== 'function' || listeners[0].name !== COMPAT_LISTENER) return false;
  const compat = listeners[0] as StreamListener;
  server.removeListener('stream', compat);
  const direct: StreamListener = (stream, headers, flags, rawHeaders) => {
    const method = headers[':method'];
    const path = headers[':path'];
    if (
      typeof method !== 'string' ||
      typeof path !== 'string' ||
      headers.expect !== undefined ||
      !Array.isArray(rawHeaders) ||
      !claims(method, path)
    ) {
      compat(stream, headers, flags, rawHeaders);
      return;
    }
    // As the compatibility request: a stream error (a reset with an error code) is not fatal.
    stream.on('error', ignore);
    handler(new H2StreamRequest(stream, headers as IncomingHttpHeaders, rawHeaders), new H2StreamResponse(stream));
  };
  server.on('stream', direct);
  return true;
}
