import type { X509Certificate } from 'node:crypto';

/** Front-proxy (requestheader) settings, contract §7.2/§7.3. Header names are kept as given. */
export interface RequestHeaderConfig {
  /** CA bundle the front proxy's client certificate must chain to. */
  readonly clientCA: readonly X509Certificate[];
  /** Allowed subject CNs of the proxy certificate; empty = any CN. */
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  readonly uidHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
}

/** The delegated authentication settings in force (flags, else the ConfigMap; may change at run time). */
export interface AuthenticationConfig {
  /** `client-ca-file`: CA bundle for x509 client certificates; absent = x509 authentication off. */
  readonly clientCA?: readonly X509Certificate[];
  /** Absent = front-proxy authentication off. */
  readonly requestHeader?: RequestHeaderConfig;
}

/** Defaults of `NewDelegatingAuthenticationOptions` (contract §7.3). */
export const REQUEST_HEADER_DEFAULTS = {
  usernameHeaders: ['x-remote-user'],
  uidHeaders: [] as string[],
  groupHeaders: ['x-remote-group'],
  extraHeaderPrefixes: ['x-remote-extra-'],
} as const;

/** Namespace and name of the ConfigMap kube-apiserver publishes its authentication settings in. */
export const AUTH_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' } as const;
