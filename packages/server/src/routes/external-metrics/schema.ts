import { routeNotFound } from '../request.js';

/** The one version of external.metrics.k8s.io. */
export const EXTERNAL_VERSION = 'v1beta1';

/** An external-metrics request path. */
export interface ExternalMetricPath {
  readonly namespace: string;
  /** The metric name as requested (the HPA lower-cases it). */
  readonly metric: string;
}

/**
 * parseExternalMetricPath maps the decoded segments after `/apis/external.metrics.k8s.io/v1beta1/`
 * to a request: only `namespaces/{namespace}/{metric}` exists; anything else is the go-restful 404.
 */
export function parseExternalMetricPath(seg: readonly string[]): ExternalMetricPath {
  if (seg.length !== 3 || seg[0] !== 'namespaces') throw routeNotFound();
  return { namespace: seg[1], metric: seg[2] };
}
