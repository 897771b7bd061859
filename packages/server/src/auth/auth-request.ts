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
  /** The presented client certificate chain, leaf first. */
  readonly peerCertificates: readonly X509Certificate[];
}

/** A node http/http2 compatibility request (IncomingMessage or Http2ServerRequest). */
export interface NodeRequestLike {
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  socket: unknown;
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

/** Builds an {@link AuthRequest} from a node (http/1.1 or http2 compatibility) request. */
export function authRequestFromNode(req: NodeRequestLike): AuthRequest {
  return { headers: req.headers, headerLines: headerLines(req.rawHeaders ?? []), peerCertificates: peerChain(req.socket) };
}
