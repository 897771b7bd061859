import { defineBackendPlugin, type BackendInstance } from '@custom-metrics/core';
import { MemoryCustomProvider, MemoryExternalProvider } from './providers.js';
import { memoryConfigSchema, type MemoryBackendConfig } from './schema.js';
import { MemoryStore } from './store.js';
import { writeRoutes } from './write-routes.js';

/** A memory backend instance: the providers plus its store (for tests and embedding code). */
export interface MemoryBackendInstance extends BackendInstance {
  readonly store: MemoryStore;
}

/**
 * The in-memory backend (`type: memory`): custom and external metrics declared in the config, and
 * settable through `POST /backends/<instance>/write/...` (its {@link BackendInstance.routes}) when
 * `writeEndpoint.enabled` — for demos and tests.
 */
export const memoryBackend = defineBackendPlugin<MemoryBackendConfig>({
  name: 'memory',
  configSchema: memoryConfigSchema,
  create(ctx, config): MemoryBackendInstance {
    const store = MemoryStore.fromConfig({
      writeEndpoint: config.writeEndpoint ?? { enabled: false },
      custom: config.custom ?? [],
      external: config.external ?? [],
    });
    ctx.metrics.gauge('declared_custom_metrics', store.customMetrics().length);
    return {
      store,
      ...(config.writeEndpoint?.enabled === true ? { routes: writeRoutes(store) } : {}),
      custom: new MemoryCustomProvider(store, ctx.kube),
      external: new MemoryExternalProvider(store),
      health: () => ({ healthy: true }),
    };
  },
});
