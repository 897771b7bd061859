import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureServer as createHttp2SecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeJSON, type Logger } from '@custom-metrics/core';
import { answerClientError, failureStatus, headerListSize, HEADERS_TOO_LARGE_MESSAGE } from './client-error.js';
import { MAX_REQUEST_HEADER_BYTES } from './limits.js';
import { serveStreams, type H2StreamRequest, type H2StreamResponse, type StreamClaim } from '../http/h2-stream.js';
import { ensureSelfSignedCert, servingNames } from './self-signed.js';

/** Serving flags (named as Kubernetes' own). */
export interface ServingOptions {
  /** `--tls-cert-file`; with `tlsPrivateKeyFile`, reloaded when the files change. */
  tlsCertFile?: string;
  /** `--tls-private-key-file`. */
  tlsPrivateKeyFile?: string;
  /** `--cert-dir`: where a self-signed certificate is kept when no cert file is given (default `<tmp>/custom-metrics-server-certs`). */
  certDir?: string;
  /** Extra SANs for the self-signed certificate, e.g. `custom-metrics.monitoring.svc`. */
  servingNames?: string[];
  /** Serve HTTP/2 (ALPN `h2`) besides HTTP/1.1 (default true). */
  http2?: boolean;
  /** How often the cert/key files are checked for changes (default 5 s). */
  reloadIntervalMs?: number;
  /** How long `close()` waits for in-flight requests before cutting connections (default 5 s). */
  shutdownGraceMs?: number;
  /** `--idle-connection-timeout`: an HTTP/1.1 connection or HTTP/2 session with no request in flight for this long is closed (default 90 s). */
  idleTimeoutMs?: number;
  /** `--first-request-timeout`: a connection must finish its TLS handshake and send the headers of a first request within this (default 10 s). */
  firstRequestTimeoutMs?: number;
  /** `--max-connections`: open connections (any state) beyond which new ones are closed at once (default 4096). */
  maxConnections?: number;
  /** `--max-unauthenticated-connections`: connections that have not sent a first request yet (TLS handshake included) beyond which new ones are closed at once (default 1024). */
  maxUnauthenticatedConnections?: number;
  /**
   * HTTP/2 requests (by `:method` and `:path`) answered from the session's `stream` event with a
   * light request/response over the stream (`http/h2-stream.ts`) instead of node's compatibility
   * objects; the handler must use only what those offer. Other streams use the compatibility API.
   */
  http2Direct?: StreamClaim;
  logger?: Logger;
}

/**
 * What nghttp2 may buffer for one HTTP/2 header list: above {@link MAX_REQUEST_HEADER_BYTES}, so
 * that a too-large list still reaches the handler and is answered with a 431 Status, not a reset.
 */
const H2_HEADER_LIST_HARD_LIMIT = 4 * MAX_REQUEST_HEADER_BYTES;
/** Header fields per request (Node's HTTP/1.1 default; HTTP/2 would otherwise stop at 128). */
const MAX_HEADER_PAIRS = 2000;

/** An HTTP/1.1 connection: its responses in progress, and its first-request timer. */
interface H1State {
  readonly socket: TLSSocket;
  /** Responses in progress (more than one when requests are pipelined). */
  active: number;
  /**
   * The latest response while it is in progress: responses are sent in order, so this is the one
   * a drain marks `Connection: close` (the connection then closes after every earlier one).
   */
  last: ServerResponse | undefined;
  timer?: NodeJS.Timeout;
  /** Whether it has sent a request (no longer counts as unauthenticated). */
  served?: boolean;
}

/** The connection state of an HTTP/1.1 response in progress (one shared 'close' listener reads it, no closure per request). */
const kConnection = Symbol('connection');
type TrackedResponse = ServerResponse & { [kConnection]?: H1State };

/**
 * A node request handler such as `koa.callback()`; receives HTTP/1.1 or HTTP/2 compatibility
 * objects, and the stream adapters for the HTTP/2 requests of {@link ServingOptions.http2Direct}.
 */
export type RequestHandler = (
  req: IncomingMessage | Http2ServerRequest | H2StreamRequest,
  res: ServerResponse | Http2ServerResponse | H2StreamResponse,
) => void;

/** The TLS server and its lifecycle. */
export interface SecureServer {
  readonly server: Http2SecureServer | HttpsServer;
  /** Starts listening; resolves with the bound port (use port 0 for any free port). */
  listen(port: number, host?: string): Promise<{ port: number }>;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes every connection. */
  close(): Promise<void>;
  /** Re-reads the cert/key files now (also done periodically); resolves true when the context changed. */
  reload(): boolean;
  /** SHA-256 fingerprint of the certificate being served. */
  readonly fingerprint: string;
}

interface Material {
  cert: string;
  key: string;
}

function fingerprintOf(certPem: string): string {
  return createHash('sha256').update(certPem).digest('hex');
}

/**
 * createSecureServer serves `handler` over TLS (contract §7.1): the given certificate (reloaded
 * when its files change: the new pair is validated and swapped in with `setSecureContext`), else a
 * self-signed one kept in `certDir` (SANs localhost, 127.0.0.1 and `servingNames`); TLS ≥ 1.2;
 * a client certificate is requested but not required (authentication verifies it); ALPN `h2` and
 * `http/1.1`.
 */
export function createSecureServer(options: ServingOptions, handler: RequestHandler): SecureServer {
  const log = options.logger;
  const hasFiles = !!(options.tlsCertFile && options.tlsPrivateKeyFile);
  if (!!options.tlsCertFile !== !!options.tlsPrivateKeyFile) {
    throw new Error('--tls-cert-file and --tls-private-key-file must be given together');
  }
  const readFiles = (): Material => ({
    cert: readFileSync(options.tlsCertFile!, 'utf8'),
    key: readFileSync(options.tlsPrivateKeyFile!, 'utf8'),
  });
  let material: Material;
  if (hasFiles) {
    material = readFiles();
  } else {
    const dir = options.certDir ?? join(tmpdir(), 'custom-metrics-server-certs');
    const generated = ensureSelfSignedCert(dir, servingNames(options.servingNames));
    log?.info({ certFile: generated.certFile, generated: generated.generated }, 'serving with a self-signed certificate');
    material = { cert: generated.cert, key: generated.key };
  }
  const tlsOptions = {
    minVersion: 'TLSv1.2' as const,
    requestCert: true,
    rejectUnauthorized: false,
  };
  // Validate the pair up front so a mismatched key fails at start-up with a clear error.
  createSecureContext({ ...tlsOptions, ...material });
  let fingerprint = fingerprintOf(material.cert);

  const h2 = options.http2 !== false;
  const idleMs = options.idleTimeoutMs ?? 90_000;
  const firstRequestMs = options.firstRequestTimeoutMs ?? 10_000;
  const common = { ...tlsOptions, ...material, handshakeTimeout: firstRequestMs, noDelay: true };
  const guarded: RequestHandler = (req, res) => {
    // HTTP/2: nghttp2 buffers up to the hard limit so that the real limit is answered here.
    if (req.httpVersionMajor >= 2 && headerListSize(req.rawHeaders) > MAX_REQUEST_HEADER_BYTES) {
      const body = encodeJSON(failureStatus(431, HEADERS_TOO_LARGE_MESSAGE));
      res.writeHead(431, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    handler(req, res);
  };
  const server: Http2SecureServer | HttpsServer = h2
    ? createHttp2SecureServer(
        {
          ...common,
          allowHTTP1: true,
          maxHeaderListPairs: MAX_HEADER_PAIRS,
          settings: { maxHeaderListSize: H2_HEADER_LIST_HARD_LIMIT, maxConcurrentStreams: 250 },
        },
        guarded as never,
      )
    : createHttpsServer({ ...common, ALPNProtocols: ['http/1.1'], maxHeaderSize: MAX_REQUEST_HEADER_BYTES }, guarded as never);
  // The hot HTTP/2 requests skip node's compatibility objects (the same guard and handler); when
  // node's compatibility listener cannot be taken over, every stream keeps using it.
  if (h2 && options.http2Direct && !serveStreams(server as Http2SecureServer, options.http2Direct, guarded)) {
    log?.debug('serving every HTTP/2 stream through the compatibility API: its stream listener was not found');
  }
  // HTTP/1.1 (also the allowHTTP1 path, which reads these from the server object).
  const h1 = server as unknown as { maxHeaderSize: number; keepAliveTimeout: number; maxConnections: number };
  h1.maxHeaderSize = MAX_REQUEST_HEADER_BYTES;
  h1.keepAliveTimeout = idleMs;
  h1.maxConnections = options.maxConnections ?? 4096;
  server.on('clientError', (err: Error, socket: Duplex) => answerClientError(err, socket));
  server.on('drop', (d: { remoteAddress?: string }) => log?.debug({ remote: d?.remoteAddress, maxConnections: h1.maxConnections }, 'refusing a connection: --max-connections reached'));
  const raw = new Set<Socket>();
  // Connections that sent a request; the others (raw.size - served) are still unauthenticated.
  let served = 0;
  const maxUnauthenticated = options.maxUnauthenticatedConnections ?? 1024;
  server.on('connection', (socket: Socket) => {
    if (raw.size - served >= maxUnauthenticated) {
      log?.debug({ remote: socket.remoteAddress, maxUnauthenticated }, 'refusing a connection: --max-unauthenticated-connections reached');
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    raw.add(socket);
    socket.on('close', () => raw.delete(socket));
  });

  // Connection tracking: first-request and idle timeouts, and close()'s drain. HTTP/1.1 sockets
  // count their in-flight requests; HTTP/2 sessions their open streams.
  const sockets = new Map<TLSSocket, H1State>();
  const sessions = new Map<Http2Session, { streams: number; timer?: NodeJS.Timeout; served?: boolean }>();
  let closing = false;
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.alpnProtocol === 'h2') return; // its session keeps the timers
    const timer = setTimeout(() => {
      log?.debug({ remote: socket.remoteAddress }, 'closing a connection that sent no request in time');
      socket.destroy();
    }, firstRequestMs);
    timer.unref();
    sockets.set(socket, { socket, active: 0, last: undefined, timer });
    socket.on('close', () => {
      const state = sockets.get(socket);
      clearTimeout(state?.timer);
      if (state?.served) served--;
      sockets.delete(socket);
    });
    if (closing) socket.destroy();
  });
  server.on('session', (session: Http2Session) => {
    const state: { streams: number; timer?: NodeJS.Timeout; served?: boolean } = { streams: 0 };
    sessions.set(session, state);
    const closeWhenIdle = (ms: number, why: string) => {
      clearTimeout(state.timer);
      state.timer = setTimeout(() => {
        log?.debug({ remote: session.socket?.remoteAddress }, why);
        session.close();
        // A peer that ignores the GOAWAY is cut after the same time again.
        setTimeout(() => session.destroy(), ms).unref();
      }, ms);
      state.timer.unref();
    };
    closeWhenIdle(firstRequestMs, 'closing an HTTP/2 session that sent no request in time');
    session.on('stream', (stream: ServerHttp2Stream) => {
      if (!state.served) {
        state.served = true;
        served++;
      }
      state.streams++;
      clearTimeout(state.timer);
      stream.once('close', () => {
        state.streams--;
        if (state.streams === 0 && !session.closed && !session.destroyed) closeWhenIdle(idleMs, 'closing an idle HTTP/2 session');
      });
    });
    session.on('close', () => {
      clearTimeout(state.timer);
      if (state.served) served--;
      sessions.delete(session);
    });
    if (closing) session.close();
  });
  function onResponseClose(this: TrackedResponse): void {
    const state = this[kConnection];
    if (state === undefined) return;
    this[kConnection] = undefined;
    state.active--;
    if (state.last === this) state.last = undefined;
    if (closing && state.active === 0) state.socket.end();
  }
  server.on('request', (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    if (req.httpVersionMajor >= 2) return;
    const socket = req.socket as TLSSocket;
    let state = sockets.get(socket);
    if (state === undefined) {
      state = { socket, active: 0, last: undefined, served: true }; // served: never counted
      sockets.set(socket, state);
    }
    if (!state.served) {
      state.served = true;
      served++;
    }
    if (state.timer !== undefined) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    const response = res as TrackedResponse;
    state.active++;
    state.last = response;
    response[kConnection] = state;
    // Draining: this response closes its connection (`Connection: close`).
    if (closing) response.shouldKeepAlive = false;
    response.on('close', onResponseClose);
  });
  server.on('tlsClientError', (err: Error) => log?.debug({ err: err.message }, 'TLS handshake failed'));

  const reload = (): boolean => {
    if (!hasFiles) return false;
    let next: Material;
    try {
      next = readFiles();
      if (next.cert === material.cert && next.key === material.key) return false;
      createSecureContext({ ...tlsOptions, ...next });
    } catch (e) {
      log?.warn({ err: (e as Error).message }, 'not reloading the serving certificate: the files do not hold a matching pair yet');
      return false;
    }
    (server as { setSecureContext(o: object): void }).setSecureContext({ ...tlsOptions, ...next });
    material = next;
    fingerprint = fingerprintOf(next.cert);
    log?.info({ certFile: options.tlsCertFile }, 'serving certificate reloaded');
    return true;
  };
  const timer = hasFiles ? setInterval(reload, options.reloadIntervalMs ?? 5_000) : undefined;
  timer?.unref();

  let closing$: Promise<void> | undefined;
  return {
    server,
    get fingerprint() {
      return fingerprint;
    },
    reload,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address();
          resolve({ port: typeof addr === 'object' && addr ? addr.port : port });
        });
      });
    },
    close() {
      closing$ ??= drain();
      return closing$;
    },
  };

  /**
   * Stops accepting; idle HTTP/1.1 connections are closed at once, busy ones after their last
   * response (sent with `Connection: close`); HTTP/2 sessions get a GOAWAY and close when their
   * streams end. Whatever is still open after the grace period is destroyed.
   */
  function drain(): Promise<void> {
    if (timer) clearInterval(timer);
    closing = true;
    return new Promise<void>((resolve) => {
      const grace = setTimeout(() => {
        log?.warn({ connections: sockets.size, sessions: sessions.size }, 'shutdown timeout: cutting the requests still in flight');
        for (const s of sessions.keys()) s.destroy();
        for (const s of raw) s.destroy();
      }, options.shutdownGraceMs ?? 5_000);
      grace.unref();
      // The callback runs once every connection is gone (or at once when not listening).
      server.close(() => {
        clearTimeout(grace);
        resolve();
      });
      for (const s of sessions.keys()) s.close();
      for (const [s, state] of sockets) {
        if (state.active === 0) s.end();
        else if (state.last !== undefined && !state.last.headersSent) state.last.shouldKeepAlive = false;
      }
    });
  }
}
