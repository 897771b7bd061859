import type { AuthenticationConfig } from './auth-config.js';
import type { AuthRequest } from './auth-request.js';
import type { AuthResponse, RequestAuthenticator } from './authentication.js';
import { credentialId, subjectOf, verifyClientChain } from './x509-verify.js';

/**
 * ClientCertAuthenticator implements apiserver's x509 authenticator with
 * `CommonNameUserConversion` (contract §7.5): the peer certificate must verify against the client
 * CA; the user is the CN, the groups are the O values, extra `authentication.kubernetes.io/credential-id`.
 */
export class ClientCertAuthenticator implements RequestAuthenticator {
  readonly name = 'x509';

  constructor(
    private readonly config: () => AuthenticationConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(req: AuthRequest): Promise<AuthResponse> {
    const ca = this.config().clientCA;
    if (!ca || req.peerCertificates.length === 0) return {};
    const err = verifyClientChain(req.peerCertificates, ca, this.now());
    if (err) return { error: `verifying certificate failed: ${err}` };
    const leaf = req.peerCertificates[0];
    const { commonName, organizations } = subjectOf(leaf);
    if (commonName === '') return {};
    return {
      user: {
        name: commonName,
        groups: organizations,
        extra: { 'authentication.kubernetes.io/credential-id': [credentialId(leaf)] },
      },
    };
  }
}
