import { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';

/**
 * The parts of an HTTP request that authentication reads: its headers (mutable, so credentials
 * and identity headers can be removed) as name → values (lower-case names, one value per header
 * line), and the certificate chain the TLS peer presented (leaf first; empty without one).
 */
export interface AuthRequest {
  /** The request's header object; authenticators delete the headers they consume. */
  readonly headers: IncomingHttpHeaders;
  /** Each header line's value by lower-case name, in arrival order. */
  readonly headerLines: ReadonlyMap<string, readonly string[]>;
  /** The presented client certificate chain, leaf first (parsed on first read). */
  readonly peerCertificates: readonly X509Certificate[];
  /** The TLS connection the request came over; absent without TLS. */
  readonly connection?: PeerConnection;
}

/**
 * A TLS connection, for caching what was verified about its peer: `key` is the same object for
 * every request of the connection (the socket, or the HTTP/2 session), `handshake` identifies its
 * latest handshake (the peer's Finished message), so a renegotiated or resumed session differs.
 */
export interface PeerConnection {
  readonly key: object;
  readonly handshake: Buffer;
}

/** A node http/http2 compatibility request (IncomingMessage or Http2ServerRequest). */
export interface NodeRequestLike {
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  socket: unknown;
  /** Http2ServerRequest's stream; its session is the connection. */
  stream?: { session?: { socket?: unknown } | undefined };
}

const MAX_CHAIN = 10;

/** Reads the presented client certificate chain (leaf first) from a TLS socket; `[]` without one. */
export function peerChain(socket: unknown): X509Certificate[] {
  const tls = socket as Partial<Pick<TLSSocket, 'getPeerCertificate'>> | null | undefined;
  if (!tls || typeof tls.getPeerCertificate !== 'function') return [];
  let cert: DetailedPeerCertificate | undefined;
  try {
    cert = tls.getPeerCertificate(true);
  } catch {
    return [];
  }
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < MAX_CHAIN && cert && cert.raw && cert.raw.length > 0; i++) {
    const fp = cert.fingerprint256;
    if (seen.has(fp)) break;
    seen.add(fp);
    try {
      out.push(new X509Certificate(cert.raw));
    } catch {
      break;
    }
    cert = cert.issuerCertificate;
  }
  return out;
}

/** Groups raw header lines by lower-case name. */
export function headerLines(rawHeaders: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const list = out.get(name);
    if (list) list.push(rawHeaders[i + 1]);
    else out.set(name, [rawHeaders[i + 1]]);
  }
  return out;
}

/** The connection of a node request and its handshake key; `undefined` without TLS. */
export function peerConnection(req: NodeRequestLike): PeerConnection | undefined {
  const session = req.stream?.session;
  const key = (session ?? req.socket) as object | null | undefined;
  const socket = (session ? session.socket : req.socket) as Partial<Pick<TLSSocket, 'getPeerFinished' | 'getProtocol'>> | null | undefined;
  if (!key || !socket || typeof socket.getPeerFinished !== 'function') return undefined;
  const known = tls13Connections.get(socket);
  if (known !== undefined && known.key === key) return known;
  const handshake = socket.getPeerFinished();
  if (!handshake) return undefined;
  const connection: PeerConnection = Object.freeze({ key, handshake });
  // TLS 1.3 has no renegotiation (and Node offers no post-handshake authentication): the
  // connection's handshake never changes, so it is read once. TLS 1.2 is read on every request.
  if (typeof socket.getProtocol === 'function' && socket.getProtocol() === 'TLSv1.3') tls13Connections.set(socket, connection);
  return connection;
}

/** The PeerConnection of each TLS 1.3 connection (its handshake is read once). */
const tls13Connections = new WeakMap<object, PeerConnection>();

/**
 * Builds an {@link AuthRequest} from a node (http/1.1 or http2 compatibility) request. The
 * certificate chain and the header lines are read and parsed only when an authenticator asks for them.
 */
export function authRequestFromNode(req: NodeRequestLike): AuthRequest {
  return new NodeAuthRequest(req);
}

/** {@link authRequestFromNode}'s request: the lazily read parts as prototype getters, no closures per request. */
class NodeAuthRequest implements AuthRequest {
  readonly headers: IncomingHttpHeaders;
  readonly connection: PeerConnection | undefined;
  readonly #req: NodeRequestLike;
  #lines: Map<string, string[]> | undefined;
  #chain: X509Certificate[] | undefined;

  constructor(req: NodeRequestLike) {
    this.#req = req;
    this.headers = req.headers;
    this.connection = peerConnection(req);
  }

  /** Read only by the front-proxy step, once its certificate verified. */
  get headerLines(): ReadonlyMap<string, readonly string[]> {
    return (this.#lines ??= headerLines(this.#req.rawHeaders ?? []));
  }

  get peerCertificates(): readonly X509Certificate[] {
    return (this.#chain ??= peerChain(this.#req.socket));
  }
}
