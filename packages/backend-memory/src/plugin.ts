// The plugin value and its factory: fill the store from the config, wire the providers and routes.
import { defineBackendPlugin, type BackendContext, type BackendInstance } from '@custom-metrics/core';
import { MemoryCustomProvider, MemoryExternalProvider } from './providers.js';
import { configSchema, type MemoryBackendConfig } from './schema.js';
import { MemoryStore } from './store.js';
import { writeRoutes } from './write-routes.js';

/** A memory backend instance: the providers plus its store (for tests and embedding code). */
export interface MemoryBackendInstance extends BackendInstance {
  readonly store: MemoryStore;
}

/** Test and embedding hooks for {@link createMemoryBackend}; production uses the defaults. */
export interface MemoryBackendDeps {
  /** The clock stamped on every value (default: the current time). */
  readonly now?: () => Date;
}

/**
 * createMemoryBackend builds one in-memory backend instance: its {@link MemoryStore} filled from
 * `config` (fields left out take the schema's defaults), a custom and an external provider over
 * it, and — when `writeEndpoint.enabled` — the write routes of its {@link BackendInstance.routes}.
 * @throws {ConfigError} naming the field (`custom[0].default`), before anything is served.
 */
export function createMemoryBackend(ctx: BackendContext, config: MemoryBackendConfig, deps: MemoryBackendDeps = {}): MemoryBackendInstance {
  const store = MemoryStore.fromConfig(config);
  const now = deps.now ?? (() => new Date());
  ctx.metrics.gauge('declared_custom_metrics', store.customMetrics().length);
  return {
    store,
    ...(config.writeEndpoint?.enabled === true ? { routes: writeRoutes(store) } : {}),
    custom: new MemoryCustomProvider(store, ctx.kube, now),
    external: new MemoryExternalProvider(store, now),
    health: () => ({ healthy: true }),
  };
}

/**
 * The in-memory backend (`type: memory`): custom and external metrics declared in the config, and
 * settable through `POST /backends/<instance>/write/...` (its {@link BackendInstance.routes}) when
 * `writeEndpoint.enabled` — for demos and tests.
 */
export const memoryBackend = defineBackendPlugin<MemoryBackendConfig>({
  name: 'memory',
  configSchema,
  create: (ctx, config) => createMemoryBackend(ctx, config),
});
