// The public surface of @custom-metrics/backend-memory. Named exports only; `export type` for
// types; the plugin is also the default export, as the server's plugin loader expects. Test
// helpers are in the ./testing entry point.
import { memoryBackend } from './plugin.js';

// --- plugin (plugin.ts, schema.ts)
export { memoryBackend, createMemoryBackend } from './plugin.js';
export type { MemoryBackendInstance, MemoryBackendDeps } from './plugin.js';
export default memoryBackend;
export { configSchema } from './schema.js';
export type { MemoryBackendConfig, MemoryCustomMetricConfig, MemoryExternalMetricConfig } from './schema.js';

// --- store (store.ts): what MemoryBackendInstance.store is
export { MemoryStore } from './store.js';
export type { CustomSeries, ExternalSeries, StoredObjectValue } from './store.js';
