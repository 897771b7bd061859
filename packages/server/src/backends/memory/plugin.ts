import { defineBackendPlugin, type BackendInstance } from '@custom-metrics/core';
import { MemoryCustomProvider, MemoryExternalProvider } from './providers.js';
import { memoryConfigSchema, type MemoryBackendConfig } from './schema.js';
import { MemoryStore } from './store.js';

/** A memory backend instance: the providers plus its store and whether writes are allowed. */
export interface MemoryBackendInstance extends BackendInstance {
  readonly store: MemoryStore;
  readonly writeEnabled: boolean;
}

/** Whether a backend instance is a {@link MemoryBackendInstance}. */
export function isMemoryBackendInstance(i: BackendInstance): i is MemoryBackendInstance {
  return (i as Partial<MemoryBackendInstance>).store instanceof MemoryStore;
}

/**
 * The in-memory backend (`type: memory`): custom and external metrics declared in the config, and
 * settable through `POST /write-metrics/...` when `writeEndpoint.enabled` — for demos and tests.
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
      writeEnabled: config.writeEndpoint?.enabled === true,
      custom: new MemoryCustomProvider(store, ctx.kube),
      external: new MemoryExternalProvider(store),
      health: () => ({ healthy: true }),
    };
  },
});
