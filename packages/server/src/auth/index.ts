import type { Logger } from '@custom-metrics/core';
import type { KubeClients } from '../kube/clients.js';
import { REQUEST_HEADER_DEFAULTS } from './auth-config.js';
import { AuthenticationConfigSource, type AuthenticationFlags } from './auth-config-source.js';
import { DelegatingAuthenticator, type Authenticator, type RequestAuthenticator } from './authentication.js';
import { DelegatingAuthorizer, DEFAULT_ALWAYS_ALLOW_PATHS, type Authorizer } from './authorization.js';
import { ClientCertAuthenticator } from './client-cert.js';
import { PeerVerifier } from './peer-verifier.js';
import { FrontProxyAuthenticator, stripIdentityHeaders } from './front-proxy.js';
import { SubjectAccessReviewAuthorizer } from './subject-access-review.js';
import { TokenReviewAuthenticator } from './token-review.js';

/** Security flags of the server (authentication + authorization), named as Kubernetes' own. */
export interface SecurityOptions extends AuthenticationFlags {
  /** `--authorization-always-allow-paths` (default `/healthz,/readyz,/livez`; trailing `*` = prefix). */
  authorizationAlwaysAllowPaths?: string[];
  /** TokenReview cache TTL (default 10 s). */
  tokenCacheTtlMs?: number;
  /** SubjectAccessReview allow/deny cache TTLs (default 10 s each). */
  authorizationAllowCacheTtlMs?: number;
  authorizationDenyCacheTtlMs?: number;
  logger?: Logger;
  /** Clock for caches and certificate validity (tests). */
  now?: () => number;
}

/** The server's authentication and authorization, plus their background work. */
export interface Security {
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  /** The live authentication settings (flags + ConfigMap). */
  readonly authenticationConfig: AuthenticationConfigSource;
  /** Stops the ConfigMap watch. */
  close(): Promise<void>;
}

/**
 * createSecurity builds the delegated authentication chain (front proxy, x509 client cert,
 * TokenReview when `kube` is given, anonymous) and the authorizer (`system:masters`, always-allow
 * paths, SubjectAccessReview when `kube` is given, else deny). Reads and starts watching the
 * `extension-apiserver-authentication` ConfigMap when a CA flag is missing.
 * @throws when a CA file is unreadable, or the ConfigMap cannot be read and the lookup failure is
 * not tolerated.
 */
export async function createSecurity(options: SecurityOptions, kube?: KubeClients): Promise<Security> {
  const now = options.now ?? Date.now;
  const source = new AuthenticationConfigSource(options, kube?.authentication, options.logger);
  await source.start();
  const config = () => source.current;
  const verifier = new PeerVerifier(now);
  const steps: RequestAuthenticator[] = [new FrontProxyAuthenticator(config, verifier), new ClientCertAuthenticator(config, verifier)];
  if (kube) {
    steps.push(new TokenReviewAuthenticator(kube.authentication, { cacheTtlMs: options.tokenCacheTtlMs, now, logger: options.logger }));
  }
  const authenticator = new DelegatingAuthenticator(
    steps,
    (req) => stripIdentityHeaders(req, source.current, REQUEST_HEADER_DEFAULTS),
    options.logger,
  );
  const sar = kube
    ? new SubjectAccessReviewAuthorizer(kube.authorization, {
        allowTtlMs: options.authorizationAllowCacheTtlMs,
        denyTtlMs: options.authorizationDenyCacheTtlMs,
        now,
        logger: options.logger,
      })
    : undefined;
  const authorizer = new DelegatingAuthorizer(options.authorizationAlwaysAllowPaths ?? DEFAULT_ALWAYS_ALLOW_PATHS, sar, options.logger);
  return { authenticator, authorizer, authenticationConfig: source, close: () => source.close() };
}

export type { AuthenticationFlags } from './auth-config-source.js';
export type { Authenticator, UserInfo } from './authentication.js';
export type { Authorizer } from './authorization.js';
