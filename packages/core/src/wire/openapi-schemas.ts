/**
 * OpenAPI schemas of the documents this server writes, named as Kubernetes names them
 * (`io.k8s.metrics.pkg.apis.custom_metrics.v1beta2.MetricValueList`, ...), so the aggregator's
 * merged spec and `kubectl explain` see the same models an upstream adapter publishes.
 * Schemas are written in OpenAPI v2 form with `$ref: "#/definitions/<name>"`; openapi.ts rewrites
 * the references for v3 (`#/components/schemas/<name>`).
 */
import { CUSTOM_METRICS_GROUP, EXTERNAL_METRICS_GROUP, RESOURCE_METRICS_GROUP } from './groups.js';

/** An OpenAPI schema object (the subset used here). */
export interface OpenAPISchema {
  description?: string;
  type?: string;
  format?: string;
  $ref?: string;
  items?: OpenAPISchema;
  additionalProperties?: OpenAPISchema;
  properties?: Record<string, OpenAPISchema>;
  required?: string[];
  default?: unknown;
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-map-type'?: string;
  /** Swagger 2.0 has no `null`; openapi.ts turns this into OpenAPI 3.0's `nullable`. */
  'x-nullable'?: boolean;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CUSTOM_V1 = 'io.k8s.metrics.pkg.apis.custom_metrics.v1beta1';
const CUSTOM_V2 = 'io.k8s.metrics.pkg.apis.custom_metrics.v1beta2';
const EXTERNAL = 'io.k8s.metrics.pkg.apis.external_metrics.v1beta1';
const RESOURCE = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';

/** Model names of the top-level documents, by group-version and kind. */
export const OPENAPI_MODELS = {
  customV1beta1List: `${CUSTOM_V1}.MetricValueList`,
  customV1beta2List: `${CUSTOM_V2}.MetricValueList`,
  externalList: `${EXTERNAL}.ExternalMetricValueList`,
  podMetrics: `${RESOURCE}.PodMetrics`,
  podMetricsList: `${RESOURCE}.PodMetricsList`,
  nodeMetrics: `${RESOURCE}.NodeMetrics`,
  nodeMetricsList: `${RESOURCE}.NodeMetricsList`,
  status: `${META}.Status`,
  apiResourceList: `${META}.APIResourceList`,
} as const;

const ref = (name: string): OpenAPISchema => ({ $ref: `#/definitions/${name}` });
const str = (description: string): OpenAPISchema => ({ description, type: 'string' });
const int64 = (description: string): OpenAPISchema => ({ description, type: 'integer', format: 'int64' });
const described = (description: string, name: string): OpenAPISchema => ({ description, ...ref(name) });
const arrayOf = (description: string, items: OpenAPISchema): OpenAPISchema => ({ description, type: 'array', items });
const stringMap = (description: string): OpenAPISchema => ({ description, type: 'object', additionalProperties: { type: 'string', default: '' } });
const gvk = (group: string, version: string, kind: string) => [{ group, version, kind }];

const KIND = str('Kind is a string value representing the REST resource this object represents. In CamelCase.');
const API_VERSION = str('APIVersion defines the versioned schema of this representation of an object.');
const TIMESTAMP = described('The time at which the value was produced.', `${META}.Time`);
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

function list(description: string, item: string, group: string, version: string, kind: string): OpenAPISchema {
  return {
    description,
    type: 'object',
    properties: {
      kind: KIND,
      apiVersion: API_VERSION,
      metadata: { default: {}, ...ref(`${META}.ListMeta`) },
      items: arrayOf('The values; an item carries neither kind nor apiVersion.', { default: {}, ...ref(item) }),
    },
    required: ['items'],
    'x-kubernetes-group-version-kind': gvk(group, version, kind),
  };
}

function customValue(version: 'v1beta1' | 'v1beta2'): OpenAPISchema {
  const common: Record<string, OpenAPISchema> = {
    kind: KIND,
    apiVersion: API_VERSION,
    describedObject: { description: 'A reference to the described object.', default: {}, ...ref('io.k8s.api.core.v1.ObjectReference') },
  };
  const window = 'The window ([timestamp-window, timestamp]) the value was computed over, for rates computed from counters; absent for instantaneous values.';
  if (version === 'v1beta1') {
    return {
      description: 'MetricValue is the value of a metric for one object.',
      type: 'object',
      properties: {
        ...common,
        metricName: str('The name of the metric.'),
        timestamp: TIMESTAMP,
        window: int64(`${window} In seconds.`),
        value: described('The value of the metric for this object.', QUANTITY),
        selector: { ...described('The metricLabelSelector the value was selected with; null when there was none.', `${META}.LabelSelector`), 'x-nullable': true },
      },
      required: ['describedObject', 'metricName', 'timestamp', 'value', 'selector'],
      'x-kubernetes-group-version-kind': gvk(CUSTOM_METRICS_GROUP, 'v1beta1', 'MetricValue'),
    };
  }
  return {
    description: 'MetricValue is the value of a metric for one object.',
    type: 'object',
    properties: {
      ...common,
      metric: { default: {}, ...ref(`${CUSTOM_V2}.MetricIdentifier`) },
      timestamp: TIMESTAMP,
      windowSeconds: int64(`${window} In seconds.`),
      value: described('The value of the metric for this object.', QUANTITY),
    },
    required: ['describedObject', 'metric', 'timestamp', 'value'],
    'x-kubernetes-group-version-kind': gvk(CUSTOM_METRICS_GROUP, 'v1beta2', 'MetricValue'),
  };
}

const OBJECT_META: OpenAPISchema = {
  description: 'ObjectMeta is the metadata of the object the metrics describe (name, namespace, labels, creationTimestamp).',
  type: 'object',
  properties: {
    name: str('Name of the object.'),
    namespace: str('Namespace of the object; empty for cluster-scoped objects.'),
    uid: str('UID of the object.'),
    resourceVersion: str('An opaque version of the object.'),
    creationTimestamp: described('When the metrics object was created.', `${META}.Time`),
    labels: stringMap('The labels of the object the metrics describe.'),
    annotations: stringMap('Annotations of the object.'),
  },
};

const USAGE = { description: 'Resource usage: cpu (cores, e.g. 4263307n) and memory (bytes, e.g. 24100Ki).', type: 'object', additionalProperties: ref(QUANTITY) };

/** Every schema the documents reference, by model name. */
export const OPENAPI_DEFINITIONS: Readonly<Record<string, OpenAPISchema>> = {
  [`${META}.Time`]: { description: 'Time is an RFC 3339 date-time in UTC with whole seconds.', type: 'string', format: 'date-time' },
  [QUANTITY]: {
    description: 'Quantity is a fixed-point number in canonical form: a decimal integer with an optional SI (m, k, M, G, ...) or binary (Ki, Mi, ...) suffix, e.g. 500m, 1500k, 24100Ki.',
    type: 'string',
  },
  [`${META}.ListMeta`]: {
    description: 'ListMeta is the metadata of a list (always empty here).',
    type: 'object',
    properties: { resourceVersion: str('Not set by this server.'), continue: str('Not set by this server.') },
  },
  [`${META}.ObjectMeta`]: OBJECT_META,
  [`${META}.LabelSelectorRequirement`]: {
    description: 'A label selector requirement: a key, an operator and values.',
    type: 'object',
    properties: {
      key: str('The label key the selector applies to.'),
      operator: str('One of In, NotIn, Exists and DoesNotExist.'),
      values: arrayOf('The values (In, NotIn); empty for Exists and DoesNotExist.', { type: 'string', default: '' }),
    },
    required: ['key', 'operator'],
  },
  [`${META}.LabelSelector`]: {
    description: 'A label query; requirements are ANDed. An empty selector matches everything.',
    type: 'object',
    properties: {
      matchLabels: stringMap('Equality requirements, ANDed with matchExpressions.'),
      matchExpressions: arrayOf('Set-based requirements.', { default: {}, ...ref(`${META}.LabelSelectorRequirement`) }),
    },
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.ObjectReference': {
    description: 'ObjectReference identifies the object a metric describes.',
    type: 'object',
    properties: {
      kind: str('Kind of the referent.'),
      namespace: str('Namespace of the referent; empty for cluster-scoped objects.'),
      name: str('Name of the referent.'),
      uid: str('UID of the referent.'),
      apiVersion: str('API version of the referent.'),
      resourceVersion: str('Not set by this server.'),
      fieldPath: str('Not set by this server.'),
    },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${CUSTOM_V1}.MetricValue`]: customValue('v1beta1'),
  [`${CUSTOM_V1}.MetricValueList`]: list('MetricValueList is the answer of custom.metrics.k8s.io/v1beta1: one value per described object.', `${CUSTOM_V1}.MetricValue`, CUSTOM_METRICS_GROUP, 'v1beta1', 'MetricValueList'),
  [`${CUSTOM_V2}.MetricIdentifier`]: {
    description: 'MetricIdentifier names a metric and the metricLabelSelector it was selected with.',
    type: 'object',
    properties: {
      name: str('The name of the metric.'),
      selector: { ...described('The metricLabelSelector; null when there was none.', `${META}.LabelSelector`), 'x-nullable': true },
    },
    required: ['name'],
  },
  [`${CUSTOM_V2}.MetricValue`]: customValue('v1beta2'),
  [`${CUSTOM_V2}.MetricValueList`]: list('MetricValueList is the answer of custom.metrics.k8s.io/v1beta2: one value per described object.', `${CUSTOM_V2}.MetricValue`, CUSTOM_METRICS_GROUP, 'v1beta2', 'MetricValueList'),
  [`${EXTERNAL}.ExternalMetricValue`]: {
    description: 'ExternalMetricValue is one series of an external metric.',
    type: 'object',
    properties: {
      kind: KIND,
      apiVersion: API_VERSION,
      metricName: str('The name of the metric.'),
      metricLabels: { ...stringMap('The labels of the series; null when the backend gives none.'), 'x-nullable': true },
      timestamp: TIMESTAMP,
      window: int64('The window ([timestamp-window, timestamp]) the value was computed over, in seconds; absent for instantaneous values.'),
      value: described('The value of the series.', QUANTITY),
    },
    required: ['metricName', 'metricLabels', 'timestamp', 'value'],
    'x-kubernetes-group-version-kind': gvk(EXTERNAL_METRICS_GROUP, 'v1beta1', 'ExternalMetricValue'),
  },
  [`${EXTERNAL}.ExternalMetricValueList`]: list('ExternalMetricValueList is the answer of external.metrics.k8s.io/v1beta1: one value per series matching labelSelector (the HPA sums them).', `${EXTERNAL}.ExternalMetricValue`, EXTERNAL_METRICS_GROUP, 'v1beta1', 'ExternalMetricValueList'),
  [`${RESOURCE}.ContainerMetrics`]: {
    description: 'ContainerMetrics is the resource usage of one container.',
    type: 'object',
    properties: { name: str('Container name corresponding to the one from pod.spec.containers.'), usage: USAGE },
    required: ['name', 'usage'],
  },
  [`${RESOURCE}.PodMetrics`]: {
    description: 'PodMetrics is the resource usage of the containers of one pod.',
    type: 'object',
    properties: {
      kind: KIND,
      apiVersion: API_VERSION,
      metadata: { default: {}, ...ref(`${META}.ObjectMeta`) },
      timestamp: described('The earliest sample time of the containers.', `${META}.Time`),
      window: str('The interval the usage was computed over, as a Go duration (e.g. 15.036s).'),
      containers: arrayOf('The metrics of each container.', { default: {}, ...ref(`${RESOURCE}.ContainerMetrics`) }),
    },
    required: ['timestamp', 'window', 'containers'],
    'x-kubernetes-group-version-kind': gvk(RESOURCE_METRICS_GROUP, 'v1beta1', 'PodMetrics'),
  },
  [`${RESOURCE}.PodMetricsList`]: list('PodMetricsList is a list of PodMetrics (pods without metrics are omitted).', `${RESOURCE}.PodMetrics`, RESOURCE_METRICS_GROUP, 'v1beta1', 'PodMetricsList'),
  [`${RESOURCE}.NodeMetrics`]: {
    description: 'NodeMetrics is the resource usage of one node.',
    type: 'object',
    properties: {
      kind: KIND,
      apiVersion: API_VERSION,
      metadata: { default: {}, ...ref(`${META}.ObjectMeta`) },
      timestamp: described('The sample time.', `${META}.Time`),
      window: str('The interval the usage was computed over, as a Go duration.'),
      usage: USAGE,
    },
    required: ['timestamp', 'window', 'usage'],
    'x-kubernetes-group-version-kind': gvk(RESOURCE_METRICS_GROUP, 'v1beta1', 'NodeMetrics'),
  },
  [`${RESOURCE}.NodeMetricsList`]: list('NodeMetricsList is a list of NodeMetrics (nodes without metrics are omitted).', `${RESOURCE}.NodeMetrics`, RESOURCE_METRICS_GROUP, 'v1beta1', 'NodeMetricsList'),
  [`${META}.StatusCause`]: {
    description: 'StatusCause gives more detail on an error.',
    type: 'object',
    properties: { reason: str('A machine-readable cause.'), message: str('A human-readable description of the cause.'), field: str('The field that caused the error, if any.') },
  },
  [`${META}.StatusDetails`]: {
    description: 'StatusDetails names the object an error is about.',
    type: 'object',
    properties: {
      name: str('The name of the object, if any.'),
      group: str('The group of the resource, if any.'),
      kind: str('The kind (or resource) of the object, if any.'),
      uid: str('The UID of the object, if any.'),
      causes: arrayOf('Further causes.', { default: {}, ...ref(`${META}.StatusCause`) }),
      retryAfterSeconds: { description: 'Seconds to wait before retrying (also sent as Retry-After).', type: 'integer', format: 'int32' },
    },
  },
  [`${META}.Status`]: {
    description: 'Status is the body of every error answer; message says what to fix.',
    type: 'object',
    properties: {
      kind: KIND,
      apiVersion: API_VERSION,
      metadata: { default: {}, ...ref(`${META}.ListMeta`) },
      status: str('Always Failure for errors.'),
      message: str('A human-readable description of the error.'),
      reason: str('A machine-readable reason (NotFound, BadRequest, ...); empty for a plain internal error.'),
      details: described('The object the error is about.', `${META}.StatusDetails`),
      code: { description: 'The HTTP status code.', type: 'integer', format: 'int32' },
    },
    'x-kubernetes-group-version-kind': gvk('', 'v1', 'Status'),
  },
  [`${META}.APIResource`]: {
    description: 'APIResource is one resource (here: one metric) of a group-version.',
    type: 'object',
    properties: {
      name: str('The resource name; for custom metrics `<resource>/<metric>`.'),
      singularName: str('Always empty here.'),
      namespaced: { description: 'Whether the resource is namespaced.', type: 'boolean', default: false },
      kind: str('The kind of the answer (MetricValueList, ExternalMetricValueList, ...).'),
      verbs: arrayOf('The verbs supported.', { type: 'string', default: '' }),
    },
    required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'],
  },
  [`${META}.APIResourceList`]: {
    description: 'APIResourceList lists the resources (metrics) of a group-version.',
    type: 'object',
    properties: {
      kind: KIND,
      apiVersion: API_VERSION,
      groupVersion: str('The group-version listed.'),
      resources: arrayOf('The resources.', { default: {}, ...ref(`${META}.APIResource`) }),
    },
    required: ['groupVersion', 'resources'],
    'x-kubernetes-group-version-kind': gvk('', 'v1', 'APIResourceList'),
  },
};
