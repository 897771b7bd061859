import type { AuthenticationConfig } from './auth-config.js';
import type { AuthRequest } from './auth-request.js';
import type { AuthResponse, RequestAuthenticator, UserInfo } from './authentication.js';
import { PeerVerifier, type VerifiedPeer } from './peer-verifier.js';

/**
 * ClientCertAuthenticator implements apiserver's x509 authenticator with
 * `CommonNameUserConversion` (contract §7.5): the peer certificate must verify against the client
 * CA; the user is the CN, the groups are the O values, extra `authentication.kubernetes.io/credential-id`.
 * The chain is verified once per TLS handshake ({@link PeerVerifier}).
 */
export class ClientCertAuthenticator implements RequestAuthenticator {
  readonly name = 'x509';

  constructor(
    private readonly config: () => AuthenticationConfig,
    private readonly verifier: PeerVerifier = new PeerVerifier(),
  ) {}

  async authenticate(req: AuthRequest): Promise<AuthResponse> {
    return this.authenticateNow(req);
  }

  authenticateNow(req: AuthRequest): AuthResponse {
    const ca = this.config().clientCA;
    if (!ca) return {};
    const res = this.verifier.verify(req, ca);
    if (!res) return {};
    if ('error' in res) return { error: `verifying certificate failed: ${res.error}` };
    if (res.peer.commonName === '') return {};
    return { user: userOf(res.peer) };
  }
}

/** The user of each verified peer: one frozen object per peer (a connection's requests share it). */
const users = new WeakMap<VerifiedPeer, UserInfo>();

function userOf(peer: VerifiedPeer): UserInfo {
  let user = users.get(peer);
  if (user === undefined) {
    const { commonName, organizations, credentialId } = peer;
    user = Object.freeze({
      name: commonName,
      groups: Object.freeze([...organizations]),
      extra: Object.freeze({ 'authentication.kubernetes.io/credential-id': Object.freeze([credentialId]) }),
    });
    users.set(peer, user);
  }
  return user;
}
