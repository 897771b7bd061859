// The public surface of @custom-metrics/backend-template. Named exports only; `export type` for
// types; the plugin is also the default export, as the server's plugin loader expects. Test
// doubles are in the ./testing entry point.
import { templateBackend } from './plugin.js';

// --- plugin (plugin.ts)
export { templateBackend, createTemplateBackend } from './plugin.js';
export type { TemplateBackendDeps } from './plugin.js';
export default templateBackend;

// --- configuration (config.ts, config-schema.ts); a bad config is core's ConfigError
export { configSchema } from './config-schema.js';
export { resolveConfig } from './config.js';
export type { TemplateBackendConfig, CustomRuleConfig, ExternalRuleConfig, ResolvedConfig, ResolvedCustomRule, ResolvedExternalRule } from './config.js';

// --- how the metrics API's answers map to core's failure kinds (errors.ts)
export { failureKindForStatus } from './errors.js';

// --- client seam (client.ts)
export { HttpTemplateClient, parseAnswer } from './client.js';
export type { TemplateClient, HttpTemplateClientOptions, Sample } from './client.js';

// --- query building, pure (query/build.ts)
export { buildCustomQuery, buildExternalQuery, requirementToMatcher, matchesQuery } from './query/build.js';
export type { SeriesQuery, LabelMatcher } from './query/build.js';

// --- providers (providers.ts)
export { TemplateCustomProvider, TemplateExternalProvider } from './providers.js';
