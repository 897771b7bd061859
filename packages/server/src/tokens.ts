/**
 * Every dependency-injection token of the server, in one place. The container holds only what
 * something resolves: what each backend instance's child container needs to build its
 * `BackendContext` and its instance (`BackendInstanceFactory`, which names its dependency with an
 * explicit `@inject(TOKEN)`). Everything else is plain composition (`cli/serve.ts`, `container.ts`).
 */
/** A token is a registered symbol; `container.resolve<T>(TOKEN)` names the type at the use site. */
const token = (name: string): symbol => Symbol.for(`custom-metrics-server.${name}`);

// The comments state what is registered under each token.

/** The root pino logger (`pino.Logger`). */
export const LOGGER = token('Logger');
/** The server's self-metrics (`ServerMetrics`, prom-client registry inside). */
export const SERVER_METRICS = token('ServerMetrics');
/** The cluster view given to backends and the resource-metrics routes (core `KubeLookup`). */
export const KUBE_LOOKUP = token('KubeLookup');
/** The backend plugin loader (`BackendLoader`), resolved by start-up and by the config reloader to build instances. */
export const BACKEND_LOADER = token('BackendLoader');
/** Aborted when the server shuts down (`AbortSignal`). */
export const SHUTDOWN_SIGNAL = token('ShutdownSignal');
/** Per backend instance (child containers): the instance name (`string`). */
export const BACKEND_INSTANCE_NAME = token('BackendInstanceName');
/** Per backend instance (child containers): its `BackendContext`. */
export const BACKEND_CONTEXT = token('BackendContext');
