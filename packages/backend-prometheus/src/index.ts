// The public surface of @custom-metrics/backend-prometheus. Named exports only; the plugin is
// also the default export, as the server's plugin loader expects.

// --- plugin (plugin.ts)
import { prometheusBackend } from './plugin.js';
export { prometheusBackend, createPrometheusBackend } from './plugin.js';
export type { PrometheusBackendDeps } from './plugin.js';
export default prometheusBackend;

// --- configuration (config.ts, config-schema.ts)
export { configSchema } from './config-schema.js';
export { resolveConfig, parseDuration } from './config.js';
export type {
  PrometheusBackendConfig,
  ResolvedConfig,
  DiscoveryRuleConfig,
  ResourceRulesConfig,
  ResourceRuleConfig,
  ResourceMappingConfig,
  NameMappingConfig,
  RegexFilterConfig,
  GroupResourceConfig,
  AuthConfig,
  TlsConfig,
} from './config.js';

// --- client (client.ts; the fake client is in the ./testing entry point)
export { HttpPrometheusClient } from './client.js';
export type { PrometheusClient, Sample, HttpClientOptions } from './client.js';

// --- providers (provider.ts, custom-provider.ts, external-provider.ts, resource-provider.ts)
export { PrometheusBackend } from './provider.js';
export { PrometheusCustomProvider } from './custom-provider.js';
export { PrometheusExternalProvider } from './external-provider.js';
export { PrometheusResourceProvider } from './resource-provider.js';

// --- naming, pure (naming/*.ts)
export { compileTemplate } from './naming/template.js';
export type { CompiledTemplate } from './naming/template.js';
export { MetricNamer } from './naming/metric-namer.js';
export { MetricsQuery, batchNames, batchNamesForRequest, queryRequestBytes } from './naming/metrics-query.js';
export type { QueryTemplateArgs, BuildArgs } from './naming/metrics-query.js';
export { ResourceConverter } from './naming/resource-converter.js';
export { escapePromString, quotePromString, escapeRegex, requirementToMatcher, labelMatcher } from './naming/promql.js';

// --- errors (errors.ts)
export { TemplateError, ConfigError, PrometheusApiError } from './errors.js';
