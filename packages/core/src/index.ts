// The public surface of @custom-metrics/core. Named exports only; `export type` for types.
// Each section is owned by one source file; keep additions in the matching section.

// --- model (model.ts)
export type {
  GroupResource,
  GroupVersionKind,
  CustomMetricInfo,
  ExternalMetricInfo,
  LabelSelector,
  LabelSelectorRequirement,
  ObjectReference,
  MetricValue,
  ExternalMetricValue,
  ResourceUsage,
  MetricsObjectMeta,
  PodMetrics,
  NodeMetrics,
} from './model.js';
export { groupResourceString, parseGroupResource } from './model.js';

// --- provider contract (provider.ts, kube.ts, plugin.ts)
export type {
  CustomMetricsProvider,
  ExternalMetricsProvider,
  ResourceMetricsProvider,
  GetMetricByNameRequest,
  GetMetricBySelectorRequest,
  GetExternalMetricRequest,
} from './provider.js';
export type { KubeLookup, KubeObject, ResourceInfo } from './kube.js';
export type {
  BackendPlugin,
  BackendContext,
  BackendInstance,
  BackendHealth,
  BackendMetrics,
  BackendRoute,
  BackendRouteMethod,
  BackendRouteRequest,
  BackendRouteResponse,
  Logger,
} from './plugin.js';
export { defineBackendPlugin } from './plugin.js';
export { BUILTIN_RESOURCES, resourceInfos } from './builtin-resources.js';
export type { BuiltinResource } from './builtin-resources.js';
export { objectReference, isClusterScoped } from './object-reference.js';

// --- backend config (config-error.ts, duration.ts)
export { ConfigError, isConfigError, configPath } from './config-error.js';
export { parseDuration, readDuration, DURATION_SCHEMA, DURATION_PATTERN } from './duration.js';
export type { DeprecatedDurationAlias, ReadDurationOptions } from './duration.js';

// --- label selectors (selector.ts)
export { parseSelector, Selector, selectorToLabelSelector, labelSelectorToSelector } from './selector.js';
export { metricSelectorOf } from './metric-selector.js';
export { SelectorParseError, isSelectorParseError } from './selector-error.js';
export type { Requirement, SelectorOperator } from './selector-requirement.js';

// --- caching helpers (cache.ts, coalesce.ts, cache-loader.ts)
export { TtlCache } from './cache.js';
export type { TtlCacheOptions } from './cache.js';
export { RequestCoalescer, abortReason } from './coalesce.js';
export { CachingLoader } from './cache-loader.js';
export type { CachingLoaderOptions, CachingLoaderResult } from './cache-loader.js';

// --- quantities (quantity.ts)
export { parseQuantity, Quantity, QuantityParseError, isQuantityParseError, QUANTITY_REGEXP } from './quantity.js';
export type { QuantityFormat, QuantityParseErrorKind } from './quantity.js';
export { formatQuantity, formatBinaryQuantity, formatNanoCores } from './quantity-format.js';
// --- errors (errors.ts)
export {
  MetricsError,
  isMetricsError,
  NotFoundError,
  BadRequestError,
  UnauthorizedError,
  ForbiddenError,
  MethodNotAllowedError,
  NotAcceptableError,
  TooManyRequestsError,
  ServiceUnavailableError,
  InternalError,
  PlainInternalError,
  metricNotFound,
  metricNotFoundFor,
  metricNotFoundForSelector,
  routeNotFound,
  invalidRequestPath,
  methodNotSupported,
  resourceNotFound,
  podMetricsNotFound,
  nodeMetricsNotFound,
  forbiddenFor,
  errorToStatus,
  BACKEND_TIMEOUT_MESSAGE,
  GENERIC_INTERNAL_MESSAGE,
} from './errors.js';
export type { Status, StatusDetails, StatusCause, MetricsErrorOptions, ForbiddenAttributes, Stringer } from './errors.js';
// --- backend failures (backend-failure.ts)
export { FAILURE_STATUS, backendFailure, unsupportedSelectorOperator } from './backend-failure.js';
export type { BackendFailureKind, BackendFailureOptions, FailureStatus } from './backend-failure.js';
// --- bounded backend answers (bounded-body.ts)
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  ResponseTooLargeError,
  isResponseTooLargeError,
  checkDeclaredLength,
  boundedChunks,
  readBounded,
  readBoundedText,
} from './bounded-body.js';
// --- wire documents (wire/*.ts)
export { encodeJSON, encodeJSONPretty, goMap } from './wire/json.js';
export { formatKubeTime, formatGoDuration } from './wire/time.js';
export {
  CUSTOM_METRICS_GROUP,
  EXTERNAL_METRICS_GROUP,
  RESOURCE_METRICS_GROUP,
  CUSTOM_METRICS_VERSIONS,
  V1BETA1,
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
} from './wire/groups.js';
export type { CustomMetricsVersion } from './wire/groups.js';
export { renderMetricValueList, renderObjectReference, renderLabelSelector, encodeMetricValueList } from './wire/custom.js';
export type {
  WireMetricValueList,
  WireMetricValueV1beta1,
  WireMetricValueV1beta2,
  WireObjectReference,
  WireLabelSelector,
} from './wire/custom.js';
export { renderExternalMetricValueList, encodeExternalMetricValueList } from './wire/external.js';
export type { WireExternalMetricValueList, WireExternalMetricValue } from './wire/external.js';
export { renderPodMetrics, renderPodMetricsList, renderNodeMetrics, renderNodeMetricsList, encodePodMetricsList, encodeNodeMetricsList } from './wire/resource.js';
export type { WirePodMetrics, WireNodeMetrics, WireMetricsList, WireObjectMeta, WireUsage } from './wire/resource.js';
export {
  customMetricsResourceList,
  externalMetricsResourceList,
  resourceMetricsResourceList,
  resolveNamespaced,
  renderAPIGroup,
  renderAPIGroupList,
} from './wire/discovery.js';
export type {
  DiscoveryGroup,
  WireAPIResource,
  WireAPIResourceList,
  WireAPIGroup,
  WireAPIGroupList,
  WireGroupVersion,
} from './wire/discovery.js';
export { renderAggregatedDiscovery, convertResourceList } from './wire/discovery-aggregated.js';
export { buildOpenAPIV2, buildOpenAPIV3, openAPIGroupVersions } from './wire/openapi.js';
export type { OpenAPIOptions } from './wire/openapi.js';
export { OPENAPI_DEFINITIONS, OPENAPI_MODELS } from './wire/openapi-schemas.js';
export type { OpenAPISchema } from './wire/openapi-schemas.js';
export type {
  WireGroupDiscoveryList,
  WireGroupDiscovery,
  WireVersionDiscovery,
  WireResourceDiscovery,
  WireSubresourceDiscovery,
  WireGroupVersionKind,
} from './wire/discovery-aggregated.js';
