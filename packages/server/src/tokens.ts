/**
 * Every dependency-injection token of the server, in one place. Constructor parameters name
 * their dependency with an explicit `@inject(TOKEN)`; `container.ts` registers them all.
 */
/** A token is a registered symbol; `container.resolve<T>(TOKEN)` names the type at the use site. */
const token = (name: string): symbol => Symbol.for(`custom-metrics-server.${name}`);

// The comments state what is registered under each token.

/** The validated server configuration (`ServerConfig`). */
export const SERVER_CONFIG = token('ServerConfig');
/** The root pino logger (`pino.Logger`). */
export const LOGGER = token('Logger');
/** The server's self-metrics (`ServerMetrics`, prom-client registry inside). */
export const SERVER_METRICS = token('ServerMetrics');
/** The cluster view given to backends and the resource-metrics routes (core `KubeLookup`). */
export const KUBE_LOOKUP = token('KubeLookup');
/** Kubernetes client settings: `{kubeconfig?, authenticationKubeconfig?, authorizationKubeconfig?}`. */
export const KUBE_CONFIG = token('KubeConfig');
/** The Kubernetes API clients (`KubeClients` from `kube/clients.ts`), or `undefined` standalone. */
export const KUBE_CLIENTS = token('KubeClients');
/** The authenticator (from `auth/`), used by the authentication middleware. */
export const AUTHENTICATOR = token('Authenticator');
/** The authorizer (from `auth/`), used by the authorization middleware. */
export const AUTHORIZER = token('Authorizer');
/** The authentication koa middleware (real one or a test double). */
export const AUTHENTICATION_MIDDLEWARE = token('AuthenticationMiddleware');
/** The authorization koa middleware (real one or a test double). */
export const AUTHORIZATION_MIDDLEWARE = token('AuthorizationMiddleware');
/** The backend registry (`BackendRegistry`). */
export const BACKEND_REGISTRY = token('BackendRegistry');
/** The backend plugin loader (`BackendLoader`). */
export const BACKEND_LOADER = token('BackendLoader');
/** The health checks (`HealthChecks`). */
export const HEALTH_CHECKS = token('HealthChecks');
/** The clock: `() => Date` (tests fix it). */
export const CLOCK = token('Clock');
/** The koa application factory result (`Koa`). */
export const KOA_APP = token('KoaApp');
/** Aborted when the server shuts down (`AbortSignal`). */
export const SHUTDOWN_SIGNAL = token('ShutdownSignal');
/** Per backend instance (child containers): the instance name (`string`). */
export const BACKEND_INSTANCE_NAME = token('BackendInstanceName');
/** Per backend instance (child containers): its `BackendContext`. */
export const BACKEND_CONTEXT = token('BackendContext');
