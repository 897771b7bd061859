import type {
  CustomMetricInfo,
  ExternalMetricInfo,
  ExternalMetricValue,
  MetricValue,
  NodeMetrics,
  PodMetrics,
} from './model.js';
import type { KubeObject } from './kube.js';
import type { Selector } from './selector.js';

/** Arguments of {@link CustomMetricsProvider.getMetricByName}. */
export interface GetMetricByNameRequest {
  /** Namespace of the object; `""` for cluster-scoped objects (nodes, namespaces). */
  namespace: string;
  /** Object name (never `*`). */
  name: string;
  info: CustomMetricInfo;
  /** Selector on the metric's own labels (`metricLabelSelector`); `Selector.everything()` when absent. */
  metricSelector: Selector;
  /** Aborted when the request's deadline passes or the client goes away. */
  signal: AbortSignal;
}

/** Arguments of {@link CustomMetricsProvider.getMetricBySelector}. */
export interface GetMetricBySelectorRequest {
  /** Namespace of the objects; `""` for cluster-scoped resources. */
  namespace: string;
  /** Object selector (`labelSelector`); `Selector.everything()` when absent. */
  selector: Selector;
  info: CustomMetricInfo;
  metricSelector: Selector;
  signal: AbortSignal;
}

/**
 * CustomMetricsProvider serves custom.metrics.k8s.io (Pods and Object metrics).
 * Errors are `MetricsError`s from this package; anything else is treated as a backend failure (503).
 */
export interface CustomMetricsProvider {
  /**
   * listAllMetrics lists every metric this provider can currently serve, for discovery.
   * It must not fail and must not do I/O on the request path: return what is known now.
   */
  listAllMetrics(): CustomMetricInfo[];
  /**
   * getMetricByName returns the metric for one named object.
   * Throws `metricNotFoundFor` (404) when the object has no such metric (or the metric selector
   * matches nothing for it).
   */
  getMetricByName(req: GetMetricByNameRequest): Promise<MetricValue>;
  /**
   * getMetricBySelector returns the metric for every object of `info.groupResource` in `namespace`
   * matching `selector`, one value per object that has one; objects without a value are omitted.
   * Throws `metricNotFound` (404) when the metric is unknown for that resource.
   */
  getMetricBySelector(req: GetMetricBySelectorRequest): Promise<MetricValue[]>;
  /**
   * `true` for a provider that answers from memory: no I/O, nothing the request's cancellation
   * could cut short. The server then hands it a signal that is never aborted instead of the
   * request's own (whose creation is a measurable share of a request's cost), after checking the
   * request's cancellation itself, and discards an answer that arrives after it, as for every
   * provider. The provider must still reject a signal that is already aborted (the conformance
   * kit checks this), for callers other than the server.
   */
  readonly answersFromMemory?: boolean;
}

/** Arguments of {@link ExternalMetricsProvider.getExternalMetric}. */
export interface GetExternalMetricRequest {
  /** The namespace of the HPA asking (external metrics are always requested under a namespace). */
  namespace: string;
  /** Selector on the series' labels (`labelSelector`); `Selector.everything()` when absent. */
  metricSelector: Selector;
  info: ExternalMetricInfo;
  signal: AbortSignal;
}

/** ExternalMetricsProvider serves external.metrics.k8s.io. */
export interface ExternalMetricsProvider {
  /** listAllExternalMetrics lists every external metric for discovery. It must not fail nor do I/O. */
  listAllExternalMetrics(): ExternalMetricInfo[];
  /**
   * getExternalMetric returns one value per series matching `metricSelector` (the HPA sums them).
   * Metric names arrive lower-cased from the HPA: match them case-insensitively.
   * Throws `metricNotFound` (404) when the metric is unknown.
   */
  getExternalMetric(req: GetExternalMetricRequest): Promise<ExternalMetricValue[]>;
  /** As {@link CustomMetricsProvider.answersFromMemory}. */
  readonly answersFromMemory?: boolean;
}

/**
 * ResourceMetricsProvider serves metrics.k8s.io (CPU and memory of pods and nodes).
 * The server finds the pods or nodes (through KubeLookup) and asks for their usage.
 */
export interface ResourceMetricsProvider {
  /**
   * getPodMetrics returns, for each pod in `pods` (same order), its metrics or `undefined` when
   * the backend has none for it (the pod is then omitted from lists, or 404 for a single GET).
   */
  getPodMetrics(req: { pods: KubeObject[]; signal: AbortSignal }): Promise<Array<PodMetrics | undefined>>;
  /** getNodeMetrics is {@link getPodMetrics} for nodes. */
  getNodeMetrics(req: { nodes: KubeObject[]; signal: AbortSignal }): Promise<Array<NodeMetrics | undefined>>;
}
