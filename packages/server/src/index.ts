// The public surface of @custom-metrics/server. Named exports only; `export type` for types.
import 'reflect-metadata';

// --- composition (app.ts, container.ts, tokens.ts)
export { createApp } from './app.js';
export type { AppOptions, MetricsApp } from './app.js';
export { buildContainer } from './container.js';
export type { ContainerOptions, ServerContainer, RootLogger } from './container.js';
export { BACKEND_CONTEXT, BACKEND_INSTANCE_NAME, KUBE_LOOKUP, LOGGER, SERVER_METRICS, SHUTDOWN_SIGNAL } from './tokens.js';

// --- configuration (config/)
export { ConfigError, isConfigError } from './config/config-error.js';
export type { ConfigProblem } from './config/config-error.js';
export { loadConfigFile } from './config/load.js';
export { validateConfig, validateConfigText, validateBackendConfig, parseConfigText } from './config/validate.js';
export { serverConfigSchema } from './config/schema.js';
export type { ServerConfig, ServerOptions, BackendConfig, StandaloneObjectConfig } from './config/types.js';

// --- backends (backends/)
export { BackendLoader, BUILTIN_BACKENDS, isBackendPlugin } from './backends/loader.js';
export type { ModuleImporter } from './backends/loader.js';
export { BackendRegistry } from './backends/registry.js';
export type { RegisteredBackend, Route } from './backends/registry.js';

// --- observability, standalone
export { ServerMetrics } from './observability/server-metrics.js';
export { HealthChecks } from './observability/health.js';
export type { HealthCheck, HealthCheckResult } from './observability/health.js';
export { createLogger } from './observability/logger.js';
export { StandaloneKubeLookup } from './standalone/standalone-kube-lookup.js';

// --- CLI pieces (cli/)
export { startServer } from './cli/serve.js';
export type { RunningServer } from './cli/serve.js';
export type { ReloadOutcome } from './config/reload.js';
export { checkConfigFile } from './cli/validate-config.js';
