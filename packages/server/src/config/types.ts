/** The server's YAML configuration, after validation and defaults. */

/** Options that mirror the command-line flags (flags win over these). */
export interface ServerOptions {
  securePort: number;
  bindAddress: string;
  certDir: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Extra names for the self-signed certificate's SANs (e.g. `my-svc.my-ns.svc`). */
  tlsSanNames: string[];
  clientCaFile?: string;
  requestheaderClientCaFile?: string;
  /** Unset: taken from the extension-apiserver-authentication ConfigMap. */
  requestheaderAllowedNames?: string[];
  /** Unset: taken from the extension-apiserver-authentication ConfigMap. */
  requestheaderUsernameHeaders?: string[];
  /** Unset: taken from the extension-apiserver-authentication ConfigMap. */
  requestheaderGroupHeaders?: string[];
  /** Unset: taken from the extension-apiserver-authentication ConfigMap. */
  requestheaderExtraHeadersPrefix?: string[];
  kubeconfig?: string;
  authenticationKubeconfig?: string;
  authorizationKubeconfig?: string;
  authorizationAlwaysAllowPaths: string[];
  authenticationTolerateLookupFailure: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Run without a cluster (static KubeLookup from `standalone.objects`). */
  standalone: boolean;
  /** Per-request deadline in seconds (default 10). */
  requestTimeoutSeconds: number;
  /** Concurrency limit: requests beyond it get 429 (default 400). */
  maxRequestsInflight: number;
  /** Seconds a client is told to wait (Retry-After) when saturated (default 1). */
  retryAfterSeconds: number;
  /** Bound on draining in-flight requests at shutdown, in seconds (default 30). */
  shutdownTimeoutSeconds: number;
  /** Seconds between failing `/readyz` and closing the listener at shutdown (default 0; kube's `--shutdown-delay-duration`). */
  shutdownDelaySeconds: number;
  /** Seconds an HTTP/1.1 connection or HTTP/2 session may stay without a request in flight (default 90). */
  idleConnectionTimeoutSeconds: number;
  /** Seconds a new connection has for its TLS handshake and first request headers (default 10). */
  firstRequestTimeoutSeconds: number;
  /** Open connections beyond which new ones are closed at once (default 4096). */
  maxConnections: number;
  /** Connections without a first request yet beyond which new ones are closed at once (default 1024). */
  maxUnauthenticatedConnections: number;
  /** `HOST:PORT` (loopback) of the debug page listener; empty disables it (default `127.0.0.1:6060`). */
  debugAddress: string;
}

/** One backend instance in `backends:`. */
export interface BackendConfig {
  /** Instance name: logs, self-metrics labels, error messages. Unique. */
  name: string;
  /** Built-in name (`memory`, `prometheus`, `datadog`, `influx`, `scrape`), npm package name, or path to an ES module. */
  type: string;
  /** Validated against the plugin's `configSchema`. */
  config: Record<string, unknown>;
  /** Higher wins when two instances list the same metric (equal priorities are an error). */
  priority?: number;
  /**
   * Ask this instance for metrics it does not list (in priority order) instead of answering 404.
   * Default: the plugin's `lookupOnDemand` (true for `prometheus`), else false.
   */
  lookupOnDemand?: boolean;
}

/**
 * One kind of `standalone.resources`: a resource type (a CRD's, typically) the standalone lookup
 * knows besides the built-in ones, as a cluster's discovery would report it.
 */
export interface StandaloneResourceConfig {
  /** API group, `""` (the default) for the core group, e.g. `argoproj.io`. */
  group: string;
  /** The served version the kind is described with, e.g. `v1alpha1`. */
  version: string;
  /** Kind, e.g. `Rollout`. */
  kind: string;
  /** Plural resource name, e.g. `rollouts`. */
  resource: string;
  /** Singular name (default: the lower-cased kind), e.g. `rollout`. */
  singular?: string;
  /** Whether objects of this kind live in a namespace (default true). */
  namespaced: boolean;
}

/** One object of `standalone.objects` (what the static KubeLookup knows). */
export interface StandaloneObjectConfig {
  /** Group-resource, e.g. `pods`, `deployments.apps`. */
  resource: string;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  uid?: string;
  podIP?: string;
  nodeName?: string;
  phase?: string;
}

/** The whole validated configuration. */
export interface ServerConfig {
  server: ServerOptions;
  backends: BackendConfig[];
  standalone: { resources: StandaloneResourceConfig[]; objects: StandaloneObjectConfig[] };
}
