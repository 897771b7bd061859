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
export type { KubeLookup, KubeObject } from './kube.js';
export type {
  BackendPlugin,
  BackendContext,
  BackendInstance,
  BackendHealth,
  BackendMetrics,
  Logger,
} from './plugin.js';
export { defineBackendPlugin } from './plugin.js';

// --- label selectors (selector.ts)
export { parseSelector, Selector, selectorToLabelSelector, labelSelectorToSelector } from './selector.js';
export { SelectorParseError, isSelectorParseError } from './selector-error.js';
export type { Requirement, SelectorOperator } from './selector-requirement.js';

// --- caching helpers (cache.ts, coalesce.ts, cache-loader.ts)
export { TtlCache } from './cache.js';
export type { TtlCacheOptions } from './cache.js';
export { RequestCoalescer, abortReason } from './coalesce.js';
export { CachingLoader } from './cache-loader.js';
export type { CachingLoaderOptions, CachingLoaderResult } from './cache-loader.js';

// --- quantities (quantity.ts)
// --- errors (errors.ts)
// --- wire documents (wire/*.ts)
