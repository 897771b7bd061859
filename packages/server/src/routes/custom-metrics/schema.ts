import { invalidRequestPath, parseGroupResource, routeNotFound, type GroupResource } from '@custom-metrics/core';

/** The versions of custom.metrics.k8s.io served (v1beta1 is the one advertised in `/apis`). */
export const CUSTOM_VERSIONS = ['v1beta1', 'v1beta2'] as const;
export type CustomVersion = (typeof CUSTOM_VERSIONS)[number];

/** A custom-metrics request path after RequestInfo parsing and the namespace-metric rewrite. */
export interface CustomMetricPath {
  /** `""` for cluster-scoped objects (and namespace metrics, which describe the namespace object). */
  readonly namespace: string;
  readonly groupResource: GroupResource;
  /** Object name or `*`. */
  readonly name: string;
  readonly metric: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * parseCustomMetricPath maps the decoded segments after `/apis/custom.metrics.k8s.io/<version>/`
 * to a request, as go-restful + RequestInfo + custom-metrics-apiserver do (contract §1.2):
 * - `{resource}/{name}/{metric}` (R1, cluster-scoped), except `namespaces/{ns}/{x}`, which
 *   RequestInfo reads as a namespaced request with too few parts → 400 `invalid request path`;
 * - `namespaces/{ns}/metrics/{metric}` (R3) → the metric of the namespace object `{ns}`;
 * - `namespaces/{ns}/{resource}/{name}/{metric}` (R2);
 * - any other shape → the go-restful 404.
 */
export function parseCustomMetricPath(seg: readonly string[]): CustomMetricPath {
  if (seg.length === 3) {
    const [resource, name, metric] = seg;
    if (resource === 'namespaces' && !NAMESPACE_SUBRESOURCES.has(metric)) throw invalidRequestPath();
    return { namespace: '', groupResource: parseGroupResource(resource), name, metric };
  }
  if (seg.length === 4) {
    if (seg[0] !== 'namespaces' || seg[2] !== 'metrics') throw routeNotFound();
    return { namespace: '', groupResource: { group: '', resource: 'namespaces' }, name: seg[1], metric: seg[3] };
  }
  if (seg.length === 5) {
    if (seg[0] !== 'namespaces') throw routeNotFound();
    const [, namespace, resource, name, metric] = seg;
    if (NAMESPACE_SUBRESOURCES.has(resource)) throw invalidRequestPath();
    if (resource === 'metrics') {
      // RequestInfo: namespace=ns, resource=metrics, name, subresource; the rewrite then makes it
      // the metric `name` of the namespace object (the subresource is dropped).
      return { namespace: '', groupResource: { group: '', resource: 'namespaces' }, name: namespace, metric: name };
    }
    return { namespace, groupResource: parseGroupResource(resource), name, metric };
  }
  throw routeNotFound();
}
