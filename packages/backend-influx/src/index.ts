// The public surface of @custom-metrics/backend-influx.
import { influxBackend } from './plugin.js';

// --- plugin (plugin.ts)
export { influxBackend, createInfluxBackend, createInfluxClient } from './plugin.js';
export type { InfluxBackendDeps } from './plugin.js';
export default influxBackend;

// --- config (config.ts, config-schema.ts)
export { resolveConfig } from './config.js';
export type {
  InfluxBackendConfig,
  InfluxCustomRule,
  InfluxExternalRule,
  InfluxMode,
  ResolvedInfluxConfig,
  ResolvedCustomRule,
  ResolvedExternalRule,
} from './config.js';
export { influxConfigSchema as configSchema } from './config-schema.js';

// --- providers (providers.ts)
export { InfluxCustomProvider, InfluxExternalProvider, InfluxQueryRunner } from './providers.js';

// --- clients (client/*.ts; the fake client is in the ./testing entry point)
export { InfluxQLClient } from './client/influxql-client.js';
export type { InfluxQLClientOptions } from './client/influxql-client.js';
export { FluxClient } from './client/flux-client.js';
export type { FluxClientOptions } from './client/flux-client.js';
export type { InfluxQueryClient, InfluxRow } from './client/types.js';
export { InfluxQueryError, isInfluxQueryError } from './errors.js';
export type { InfluxFailureKind } from './errors.js';

// --- query building (query/*.ts)
export { buildCustomQuery, buildExternalQuery } from './query/build.js';
export type { CustomQueryInput, ExternalQueryInput } from './query/build.js';
export { influxqlIdent, influxqlString, influxqlSelector, influxqlExactRegex, regexLiteralBody } from './query/influxql.js';
export { fluxString, fluxColumn, fluxSelector, fluxExactRegex } from './query/flux.js';
export { PLACEHOLDERS, renderTemplate, templatePlaceholders } from './query/template.js';
export type { Placeholder, TemplateValues } from './query/template.js';
