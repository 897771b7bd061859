import type { AuthenticationConfig } from './auth-config.js';
import type { AuthRequest } from './auth-request.js';
import type { AuthResponse, RequestAuthenticator } from './authentication.js';
import { PeerVerifier } from './peer-verifier.js';

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
    const ca = this.config().clientCA;
    if (!ca) return {};
    const res = this.verifier.verify(req, ca);
    if (!res) return {};
    if ('error' in res) return { error: `verifying certificate failed: ${res.error}` };
    const { commonName, organizations, credentialId } = res.peer;
    if (commonName === '') return {};
    return {
      user: {
        name: commonName,
        groups: [...organizations],
        extra: { 'authentication.kubernetes.io/credential-id': [credentialId] },
      },
    };
  }
}
