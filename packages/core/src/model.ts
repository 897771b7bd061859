/**
 * The version-neutral metric model. Providers return these values; the server renders them as
 * custom.metrics.k8s.io v1beta1 or v1beta2, external.metrics.k8s.io v1beta1 or metrics.k8s.io
 * v1beta1 documents (see `wire/`).
 */

/** A Kubernetes group-resource such as `pods` (group `""`) or `deployments.apps`. */
export interface GroupResource {
  /** API group; `""` for the core group. */
  readonly group: string;
  /** Plural, lower-case resource name, e.g. `pods`. */
  readonly resource: string;
}

/** A group-version-kind, e.g. `{group: "apps", version: "v1", kind: "Deployment"}`. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** Identifies one custom metric: which resource it describes, and its name. */
export interface CustomMetricInfo {
  readonly groupResource: GroupResource;
  /** Whether the described resource is namespaced (`namespaces`, `nodes` and `persistentvolumes` are not). */
  readonly namespaced: boolean;
  /** The metric name as it appears in the URL. */
  readonly metric: string;
}

/** Identifies one external metric. Names are compared case-insensitively (the HPA lower-cases them). */
export interface ExternalMetricInfo {
  readonly metric: string;
}

/** metav1.LabelSelector as JSON (`matchLabels` and `matchExpressions`, both optional). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** One metav1.LabelSelectorRequirement. */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** core/v1 ObjectReference as the metrics APIs use it (`describedObject`). */
export interface ObjectReference {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  /** `group/version`; core-group objects use `"/v1"` as custom-metrics-apiserver does. */
  apiVersion: string;
}

/** One custom metric value for one object. */
export interface MetricValue {
  describedObject: ObjectReference;
  metric: {
    name: string;
    /** The metric selector that produced this value, or `null` when none was given. */
    selector: LabelSelector | null;
  };
  /** When the value was observed; rendered with second precision in UTC. */
  timestamp: Date;
  /** The window the value was computed over, in seconds, if any. */
  windowSeconds?: number;
  /** A finite number; rendered as a canonical Kubernetes quantity rounded to the milli. */
  value: number;
}

/** One external metric series value. */
export interface ExternalMetricValue {
  metricName: string;
  /** The series' labels; `null` renders as `"metricLabels":null`. */
  metricLabels: Record<string, string> | null;
  timestamp: Date;
  windowSeconds?: number;
  /** A finite number; rendered as a canonical Kubernetes quantity rounded to the milli. */
  value: number;
}

/** Resource usage of one container or node. */
export interface ResourceUsage {
  /** CPU in cores (rendered in nanocores, e.g. `4263307n`). */
  cpu: number;
  /** Memory in bytes (rendered BinarySI, e.g. `24100Ki`). */
  memory: number;
}

/** Object metadata for metrics.k8s.io items. */
export interface MetricsObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** Rendered as `creationTimestamp`; metrics-server sets it to the time of the request. */
  creationTimestamp?: Date;
}

/** PodMetrics (metrics.k8s.io) in the version-neutral model. */
export interface PodMetrics {
  metadata: MetricsObjectMeta;
  /** The earliest container sample time. */
  timestamp: Date;
  /** Interval between the two samples the usage was computed from, in seconds. */
  windowSeconds: number;
  containers: Array<{ name: string; usage: ResourceUsage }>;
}

/** NodeMetrics (metrics.k8s.io) in the version-neutral model. */
export interface NodeMetrics {
  metadata: MetricsObjectMeta;
  timestamp: Date;
  windowSeconds: number;
  usage: ResourceUsage;
}

/** Formats a group-resource as Kubernetes does: `pods`, `deployments.apps`. */
export function groupResourceString(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

/**
 * Parses `resource[.group]` as `schema.ParseGroupResource` does: the text before the first `.` is
 * the resource, the rest the group.
 */
export function parseGroupResource(text: string): GroupResource {
  const dot = text.indexOf('.');
  return dot < 0 ? { group: '', resource: text } : { resource: text.slice(0, dot), group: text.slice(dot + 1) };
}
