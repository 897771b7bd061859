/** API group names, versions and media types of the metrics APIs. */

/** `custom.metrics.k8s.io`, served as v1beta1 and v1beta2. */
export const CUSTOM_METRICS_GROUP = 'custom.metrics.k8s.io';
/** `external.metrics.k8s.io`, served as v1beta1. */
export const EXTERNAL_METRICS_GROUP = 'external.metrics.k8s.io';
/** `metrics.k8s.io` (resource metrics: PodMetrics, NodeMetrics), served as v1beta1. */
export const RESOURCE_METRICS_GROUP = 'metrics.k8s.io';

/** The custom metrics API versions, in preference order (newest first). */
export const CUSTOM_METRICS_VERSIONS = ['v1beta2', 'v1beta1'] as const;
/** A custom metrics API version. */
export type CustomMetricsVersion = (typeof CUSTOM_METRICS_VERSIONS)[number];

/** The version of external.metrics.k8s.io and metrics.k8s.io. */
export const V1BETA1 = 'v1beta1';

/**
 * The Content-Type of an aggregated discovery document (`apidiscovery.k8s.io/v2`
 * `APIGroupDiscoveryList`), also the Accept value the aggregator sends (contract §7.6).
 */
export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
