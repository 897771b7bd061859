// The public surface of @custom-metrics/backend-memory. Named exports only; `export type` for types.
import { memoryBackend } from './plugin.js';

// --- plugin (plugin.ts, schema.ts)
export { memoryBackend };
export default memoryBackend;
export type { MemoryBackendInstance } from './plugin.js';
export { memoryConfigSchema } from './schema.js';
export type { MemoryBackendConfig, MemoryCustomMetricConfig, MemoryExternalMetricConfig } from './schema.js';

// --- store (store.ts): what MemoryBackendInstance.store is
export { MemoryStore } from './store.js';
export type { CustomSeries, ExternalSeries, StoredObjectValue } from './store.js';
