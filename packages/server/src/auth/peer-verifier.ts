import type { X509Certificate } from 'node:crypto';
import type { AuthRequest } from './auth-request.js';
import { credentialId, subjectOf, verifyClientChain } from './x509-verify.js';

/** What a verified client certificate says about its holder. */
export interface VerifiedPeer {
  readonly commonName: string;
  readonly organizations: readonly string[];
  /** `X509SHA256=<hex>` of the leaf (apiserver's credential-id extra). */
  readonly credentialId: string;
}

/** The outcome of {@link PeerVerifier.verify}: no certificate, a verified peer, or why it failed. */
export type PeerVerification = { readonly peer: VerifiedPeer } | { readonly error: string } | undefined;

interface Verified {
  readonly result: { readonly peer: VerifiedPeer } | { readonly error: string };
  /** Success: the earliest `validTo` of the verified path (ms); failure: a short while. */
  readonly validUntil: number;
}

interface ConnectionEntry {
  readonly handshake: Buffer;
  /** Verified peers by trust bundle (the bundle's array identity: a reloaded CA is a new array). */
  readonly byRoots: WeakMap<readonly X509Certificate[], Verified>;
}

const MAX_INTERMEDIATES = 256;
/** How long a failed verification stands for a connection before it is tried again. */
const FAILURE_TTL_MS = 10_000;

/**
 * PeerVerifier verifies the client certificate chain of a request against a CA bundle
 * ({@link verifyClientChain}) once per TLS handshake: the verified identity is kept with the
 * connection, keyed by the handshake (a renegotiated or resumed session is verified again) and by
 * the CA bundle (a reloaded CA verifies again), until the first certificate of the path expires
 * (a failure stands for 10 s).
 *
 * A resumed TLS session only carries the leaf certificate (OpenSSL does not keep the peer's
 * chain in session tickets), so the intermediates of chains that verified before are kept
 * (bounded) and offered as candidates, as Go's intermediate pool: a leaf signed by a known
 * intermediate still verifies against the roots, signature by signature.
 */
export class PeerVerifier {
  readonly #connections = new WeakMap<object, ConnectionEntry>();
  readonly #intermediates = new Map<string, X509Certificate>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Verifies the peer of `req` against `roots`; `undefined` when no certificate was presented. */
  verify(req: AuthRequest, roots: readonly X509Certificate[]): PeerVerification {
    const conn = req.connection;
    const now = this.now();
    let entry = conn ? this.#connections.get(conn.key) : undefined;
    if (conn && entry && !entry.handshake.equals(conn.handshake)) entry = undefined;
    const cached = entry?.byRoots.get(roots);
    if (cached && now <= cached.validUntil) return cached.result;

    const chain = req.peerCertificates;
    if (chain.length === 0) return undefined;
    const path = verifyClientChain(chain, roots, now, [...this.#intermediates.values()]);
    let verified: Verified;
    if (typeof path === 'string') {
      // A chain that does not verify against these roots (e.g. a front-proxy certificate seen by
      // the x509 step) is not re-verified on every request of the connection either.
      verified = { result: { error: path }, validUntil: now + FAILURE_TTL_MS };
    } else {
      for (const c of path.slice(1, -1)) this.#remember(c);
      const leaf = chain[0];
      const { commonName, organizations } = subjectOf(leaf);
      const peer: VerifiedPeer = { commonName, organizations, credentialId: credentialId(leaf) };
      verified = { result: { peer }, validUntil: Math.min(...path.map((c) => Date.parse(c.validTo))) };
    }
    if (conn) {
      if (!entry) {
        entry = { handshake: conn.handshake, byRoots: new WeakMap() };
        this.#connections.set(conn.key, entry);
      }
      entry.byRoots.set(roots, verified);
    }
    return verified.result;
  }

  #remember(cert: X509Certificate): void {
    const fp = cert.fingerprint256;
    if (this.#intermediates.has(fp)) return;
    if (this.#intermediates.size >= MAX_INTERMEDIATES) {
      const oldest = this.#intermediates.keys().next().value;
      if (oldest !== undefined) this.#intermediates.delete(oldest);
    }
    this.#intermediates.set(fp, cert);
  }
}
