/**
 * The OpenAPI documents an aggregated metrics server publishes (contract §7.7): `/openapi/v2`
 * (Swagger 2.0, every group-version in one document) and `/openapi/v3/apis/<group>/<version>`
 * (OpenAPI 3.0, one document per group-version). kube-aggregator merges them into the cluster's
 * spec; `kubectl explain` reads the v3 ones. Pure builders: the server serves the bytes.
 */
import { CUSTOM_METRICS_GROUP, EXTERNAL_METRICS_GROUP, RESOURCE_METRICS_GROUP } from './groups.js';
import { OPENAPI_DEFINITIONS, OPENAPI_MODELS, type OpenAPISchema } from './openapi-schemas.js';

/** What goes into the documents. */
export interface OpenAPIOptions {
  /** `info.title`. */
  readonly title: string;
  /** `info.version`. */
  readonly version: string;
  /** Whether metrics.k8s.io is served (a backend offers resource metrics). */
  readonly resourceMetrics: boolean;
}

interface Param {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly description: string;
  readonly type: 'string' | 'boolean';
}

interface Operation {
  /** `apis/<group>/<version>`: the v3 document the operation belongs to. */
  readonly gv: string;
  readonly path: string;
  readonly operationId: string;
  readonly description: string;
  readonly params: readonly Param[];
  /** Model name of the 200 answer. */
  readonly response: string;
  /** `x-kubernetes-action` (`get` or `list`), which `kubectl explain` reads with the answer's kind. */
  readonly action?: 'get' | 'list';
}

const pathParam = (name: string, description: string): Param => ({ name, in: 'path', description, type: 'string' });
const queryParam = (name: string, description: string, type: Param['type'] = 'string'): Param => ({ name, in: 'query', description, type });

const P = {
  namespace: pathParam('namespace', 'The namespace of the described objects.'),
  resource: pathParam('resource', 'The described resource as `<resource>[.<group>]`, e.g. pods or deployments.apps.'),
  name: pathParam('name', 'The object name, or `*` (sent as %2A) for every object matching labelSelector.'),
  metric: pathParam('subresource', 'The metric name.'),
  pretty: queryParam('pretty', "If 'true', the output is pretty printed.", 'boolean'),
  labelSelector: queryParam('labelSelector', 'A label selector on the described objects (with name `*`).'),
  metricLabelSelector: queryParam('metricLabelSelector', 'A label selector on the metric labels.'),
  fieldSelector: queryParam('fieldSelector', 'Only metadata.name and metadata.namespace are supported.'),
  seriesSelector: queryParam('labelSelector', 'A label selector on the series labels; every matching series is returned.'),
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function customOperations(version: 'v1beta1' | 'v1beta2'): Operation[] {
  const gv = `apis/${CUSTOM_METRICS_GROUP}/${version}`;
  const response = version === 'v1beta1' ? OPENAPI_MODELS.customV1beta1List : OPENAPI_MODELS.customV1beta2List;
  const v = cap(version);
  const query = [P.pretty, P.labelSelector, P.metricLabelSelector, P.fieldSelector];
  return [
    { gv, path: `/${gv}/`, operationId: `getCustomMetrics${v}APIResources`, description: 'get the metrics served (APIResourceList)', params: [], response: OPENAPI_MODELS.apiResourceList },
    {
      gv,
      path: `/${gv}/{resource}/{name}/{subresource}`,
      operationId: `listCustomMetrics${v}MetricValue`,
      description: 'list custom metrics describing a cluster-scoped object or objects',
      params: [P.resource, P.name, P.metric, ...query],
      response,
      action: 'list',
    },
    {
      gv,
      path: `/${gv}/namespaces/{namespace}/{resource}/{name}/{subresource}`,
      operationId: `listCustomMetrics${v}NamespacedMetricValue`,
      description: 'list custom metrics describing a namespaced object or objects',
      params: [P.namespace, P.resource, P.name, P.metric, ...query],
      response,
      action: 'list',
    },
    {
      gv,
      path: `/${gv}/namespaces/{name}/metrics/{subresource}`,
      operationId: `readCustomMetrics${v}MetricValueForNamespace`,
      description: 'read a custom metric describing a namespace',
      params: [pathParam('name', 'The namespace.'), P.metric, P.pretty, P.metricLabelSelector],
      response,
      action: 'list',
    },
  ];
}

function externalOperations(): Operation[] {
  const gv = `apis/${EXTERNAL_METRICS_GROUP}/v1beta1`;
  return [
    { gv, path: `/${gv}/`, operationId: 'getExternalMetricsV1beta1APIResources', description: 'get the metrics served (APIResourceList)', params: [], response: OPENAPI_MODELS.apiResourceList },
    {
      gv,
      path: `/${gv}/namespaces/{namespace}/{resource}`,
      operationId: 'listExternalMetricsV1beta1ExternalMetricValue',
      description: 'list the series of an external metric',
      params: [P.namespace, pathParam('resource', 'The metric name (case-insensitive).'), P.pretty, P.seriesSelector, P.fieldSelector],
      response: OPENAPI_MODELS.externalList,
      action: 'list',
    },
  ];
}

function resourceOperations(): Operation[] {
  const gv = `apis/${RESOURCE_METRICS_GROUP}/v1beta1`;
  const list = [P.pretty, queryParam('labelSelector', 'A label selector on the objects.'), P.fieldSelector];
  const ns = P.namespace;
  const name = (what: string) => pathParam('name', `The name of the ${what}.`);
  return [
    { gv, path: `/${gv}/`, operationId: 'getMetricsV1beta1APIResources', description: 'get the resources served (APIResourceList)', params: [], response: OPENAPI_MODELS.apiResourceList },
    { gv, path: `/${gv}/nodes`, operationId: 'listMetricsV1beta1NodeMetrics', description: 'list the usage of nodes', params: list, response: OPENAPI_MODELS.nodeMetricsList, action: 'list' },
    { gv, path: `/${gv}/nodes/{name}`, operationId: 'readMetricsV1beta1NodeMetrics', description: 'read the usage of a node', params: [name('node'), P.pretty], response: OPENAPI_MODELS.nodeMetrics, action: 'get' },
    { gv, path: `/${gv}/pods`, operationId: 'listMetricsV1beta1PodMetricsForAllNamespaces', description: 'list the usage of pods in every namespace', params: list, response: OPENAPI_MODELS.podMetricsList, action: 'list' },
    { gv, path: `/${gv}/namespaces/{namespace}/pods`, operationId: 'listMetricsV1beta1NamespacedPodMetrics', description: 'list the usage of pods', params: [ns, ...list], response: OPENAPI_MODELS.podMetricsList, action: 'list' },
    {
      gv,
      path: `/${gv}/namespaces/{namespace}/pods/{name}`,
      operationId: 'readMetricsV1beta1NamespacedPodMetrics',
      description: 'read the usage of a pod',
      params: [ns, name('pod'), P.pretty],
      response: OPENAPI_MODELS.podMetrics,
      action: 'get',
    },
  ];
}

function operations(options: OpenAPIOptions): Operation[] {
  return [...customOperations('v1beta1'), ...customOperations('v1beta2'), ...externalOperations(), ...(options.resourceMetrics ? resourceOperations() : [])];
}

/** The group-version paths (`apis/<group>/<version>`) that have a v3 document, in a stable order. */
export function openAPIGroupVersions(options: OpenAPIOptions): string[] {
  return [...new Set(operations(options).map((o) => o.gv))];
}

/** The `x-kubernetes-*` extensions of an operation: its action and the kind it answers. */
function kubeExtensions(op: Operation): Record<string, unknown> {
  if (!op.action) return {};
  const gvk = OPENAPI_DEFINITIONS[op.response]['x-kubernetes-group-version-kind']?.[0];
  return { 'x-kubernetes-action': op.action, ...(gvk ? { 'x-kubernetes-group-version-kind': gvk } : {}) };
}

const BEARER = { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' };

/** Model names reachable from `roots` through `$ref`s. */
function closure(roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const walk = (s: unknown): void => {
      if (Array.isArray(s)) s.forEach(walk);
      else if (typeof s === 'object' && s !== null) {
        for (const [k, v] of Object.entries(s)) {
          if (k === '$ref' && typeof v === 'string') visit(v.slice(v.lastIndexOf('/') + 1));
          else walk(v);
        }
      }
    };
    walk(OPENAPI_DEFINITIONS[name]);
  };
  roots.forEach(visit);
  return [...seen].sort();
}

function pick(names: readonly string[]): Record<string, OpenAPISchema> {
  const out: Record<string, OpenAPISchema> = {};
  for (const n of names) out[n] = OPENAPI_DEFINITIONS[n];
  return out;
}

function errorResponses(statusRef: unknown): Record<string, unknown> {
  return { '401': { description: 'Unauthorized' }, default: { description: 'An error, as a Status', ...(statusRef as object) } };
}

/**
 * buildOpenAPIV2 builds the Swagger 2.0 document of `/openapi/v2`: every served path and the
 * models of its answers (`definitions`), with `x-kubernetes-group-version-kind` on the kinds.
 */
export function buildOpenAPIV2(options: OpenAPIOptions): Record<string, unknown> {
  const ops = operations(options);
  const paths: Record<string, unknown> = {};
  for (const op of ops) {
    paths[op.path] = {
      get: {
        description: op.description,
        produces: ['application/json'],
        schemes: ['https'],
        tags: [op.gv.replace(/^apis\//, '')],
        operationId: op.operationId,
        parameters: op.params.map((p) => ({ uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in, ...(p.in === 'path' ? { required: true } : {}) })),
        responses: { '200': { description: 'OK', schema: { $ref: `#/definitions/${op.response}` } }, ...errorResponses({ schema: { $ref: `#/definitions/${OPENAPI_MODELS.status}` } }) },
        ...kubeExtensions(op),
      },
    };
  }
  return {
    swagger: '2.0',
    info: { title: options.title, version: options.version },
    paths,
    definitions: pick(closure([...ops.map((o) => o.response), OPENAPI_MODELS.status])),
    securityDefinitions: { BearerToken: BEARER },
    security: [{ BearerToken: [] }],
  };
}

/** Rewrites v2 schemas for v3: `#/definitions/` refs become `#/components/schemas/`, `x-nullable` becomes `nullable`. */
function toV3(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toV3);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace('#/definitions/', '#/components/schemas/');
    else if (k === 'x-nullable') out.nullable = v;
    else out[k] = toV3(v);
  }
  return out;
}

/**
 * buildOpenAPIV3 builds the OpenAPI 3.0 document of `/openapi/v3/<gv>` for one group-version
 * path (`apis/custom.metrics.k8s.io/v1beta2`), or `undefined` when that group-version is not served.
 */
export function buildOpenAPIV3(gv: string, options: OpenAPIOptions): Record<string, unknown> | undefined {
  const ops = operations(options).filter((o) => o.gv === gv);
  if (ops.length === 0) return undefined;
  const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const paths: Record<string, unknown> = {};
  for (const op of ops) {
    paths[op.path] = {
      get: {
        tags: [gv.replace(/^apis\//, '')],
        description: op.description,
        operationId: op.operationId,
        parameters: op.params.map((p) => ({ name: p.name, in: p.in, description: p.description, ...(p.in === 'path' ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } })),
        responses: {
          '200': { description: 'OK', content: { 'application/json': { schema: schemaRef(op.response) } } },
          ...errorResponses({ content: { 'application/json': { schema: schemaRef(OPENAPI_MODELS.status) } } }),
        },
        ...kubeExtensions(op),
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: options.title, version: options.version },
    paths,
    components: { schemas: toV3(pick(closure([...ops.map((o) => o.response), OPENAPI_MODELS.status]))), securitySchemes: { BearerToken: BEARER } },
    security: [{ BearerToken: [] }],
  };
}
