import { routeNotFound } from '../request.js';

/** The one version of metrics.k8s.io. */
export const RESOURCE_VERSION = 'v1beta1';

/** A metrics.k8s.io request (contract §1.4). */
export type ResourceMetricsPath =
  | { readonly kind: 'nodes' }
  | { readonly kind: 'node'; readonly name: string }
  /** `namespace` is `""` for all namespaces. */
  | { readonly kind: 'pods'; readonly namespace: string }
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string };

/** Maps the decoded segments after `/apis/metrics.k8s.io/v1beta1/` to a request; other shapes are 404. */
export function parseResourceMetricsPath(seg: readonly string[]): ResourceMetricsPath {
  if (seg.length === 1 && seg[0] === 'nodes') return { kind: 'nodes' };
  if (seg.length === 2 && seg[0] === 'nodes') return { kind: 'node', name: seg[1] };
  if (seg.length === 1 && seg[0] === 'pods') return { kind: 'pods', namespace: '' };
  if (seg.length === 3 && seg[0] === 'namespaces' && seg[2] === 'pods') return { kind: 'pods', namespace: seg[1] };
  if (seg.length === 4 && seg[0] === 'namespaces' && seg[2] === 'pods') return { kind: 'pod', namespace: seg[1], name: seg[3] };
  throw routeNotFound();
}
