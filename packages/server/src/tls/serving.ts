import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer as createHttp2SecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@custom-metrics/core';
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
  logger?: Logger;
}

/** A node request handler such as `koa.callback()`; receives HTTP/1.1 or HTTP/2 compatibility objects. */
export type RequestHandler = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
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
  const server: Http2SecureServer | HttpsServer = h2
    ? createHttp2SecureServer({ ...tlsOptions, ...material, allowHTTP1: true }, handler as never)
    : createHttpsServer({ ...tlsOptions, ...material, ALPNProtocols: ['http/1.1'] }, handler as never);

  // Connection tracking for close(): idle HTTP/1.1 sockets are cut at once, busy ones when their
  // response finishes, HTTP/2 sessions get a GOAWAY; everything left is destroyed after the grace.
  const sockets = new Map<TLSSocket, number>();
  const sessions = new Set<Http2Session>();
  let closing = false;
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.set(socket, 0);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    if (closing) session.close();
  });
  server.on('request', (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    if (req.httpVersionMajor >= 2) return;
    const socket = req.socket as TLSSocket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    res.on('close', () => {
      const n = (sockets.get(socket) ?? 1) - 1;
      sockets.set(socket, n);
      if (closing && n <= 0) socket.destroy();
    });
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
      if (timer) clearInterval(timer);
      closing = true;
      return new Promise<void>((resolve) => {
        const grace = setTimeout(() => {
          for (const s of sockets.keys()) s.destroy();
          for (const s of sessions) s.destroy();
        }, options.shutdownGraceMs ?? 5_000);
        grace.unref();
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        for (const s of sessions) s.close();
        for (const [s, busy] of sockets) if (busy <= 0 && !isHttp2Socket(s, sessions)) s.destroy();
        if (!server.listening) {
          clearTimeout(grace);
          resolve();
        }
      });
    },
  };
}

function isHttp2Socket(socket: TLSSocket, sessions: Set<Http2Session>): boolean {
  for (const s of sessions) if (s.socket === socket) return true;
  return false;
}
