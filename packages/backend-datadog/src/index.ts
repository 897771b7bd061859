// The public surface of @custom-metrics/backend-datadog. Named exports only; `export type` for types.
import { datadogBackend } from './plugin.js';

export { datadogBackend, createDatadogBackend } from './plugin.js';
export type { DatadogBackendDeps } from './plugin.js';
export { configSchema } from './config-schema.js';
export { resolveConfig, DatadogConfigError, DATADOG_SITES } from './config.js';
export type {
  DatadogBackendConfig,
  DatadogSite,
  SecretSource,
  ExternalRuleConfig,
  CustomRuleConfig,
  RuleQueryConfig,
  RollupConfig,
} from './config.js';
export { buildQuery, isValidMetricName, filterExpression, TAGS_PLACEHOLDER, BY_PLACEHOLDER } from './query/build.js';
export type { Aggregator, RollupMethod, Rollup, QueryShape, QuerySpec } from './query/build.js';
export { requirementToTerms, requirementsToTerms, tagTerm, isValidTagKey, isValidTagValue } from './query/tags.js';
export { clusterAgentMetric, clusterAgentSpec } from './query/cluster-agent.js';
export type { ClusterAgentConvention } from './query/cluster-agent.js';
export { createTimeseriesClient, DatadogApiError } from './client/datadog-client.js';
export type { TimeseriesClient, TimeseriesClientOptions, BatchResult, SeriesValue, SeriesPoint } from './client/datadog-client.js';
export type { RateLimitInfo } from './client/rate-limit.js';
// Fakes and the API double for tests are in the ./testing entry point.

export default datadogBackend;
