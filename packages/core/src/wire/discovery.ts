/**
 * Legacy discovery documents (contract §2.5): `APIResourceList` for the three groups, `APIGroup`
 * and `APIGroupList`.
 */
import { groupResourceString, type CustomMetricInfo, type ExternalMetricInfo } from '../model.js';
import { isClusterScoped } from '../object-reference.js';
import { CUSTOM_METRICS_GROUP, EXTERNAL_METRICS_GROUP, RESOURCE_METRICS_GROUP, V1BETA1, type CustomMetricsVersion } from './groups.js';

/** metav1.APIResource on the wire (keys in Go order; `singularName` is always written). */
export interface WireAPIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** metav1.APIResourceList, served at `/apis/<group>/<version>`. */
export interface WireAPIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: WireAPIResource[];
}

/**
 * Whether metrics of `groupResource` are namespaced, made consistent per resource so that the
 * aggregator can convert `resource/metric` names into subresources (contract §2.5):
 * - built-in cluster-scoped resources ({@link isClusterScoped}: `namespaces`, `nodes`, ...) are always cluster-scoped;
 * - otherwise, when infos for one group-resource disagree, namespaced wins (any info saying
 *   `namespaced: true` makes the resource namespaced). This is independent of info order.
 */
export function resolveNamespaced(infos: readonly CustomMetricInfo[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const info of infos) {
    const key = groupResourceString(info.groupResource);
    const forced = isClusterScoped(info.groupResource);
    const namespaced = forced ? false : (out.get(key) ?? false) || info.namespaced;
    out.set(key, namespaced);
  }
  return out;
}

/**
 * The `APIResourceList` of `custom.metrics.k8s.io/<version>`: one `<groupResource>/<metric>` entry
 * per info in the given order (duplicates dropped), kind `MetricValueList`, verbs `["get"]`, with a
 * consistent namespaced flag per resource ({@link resolveNamespaced}).
 */
export function customMetricsResourceList(version: CustomMetricsVersion, infos: readonly CustomMetricInfo[]): WireAPIResourceList {
  const scope = resolveNamespaced(infos);
  const seen = new Set<string>();
  const resources: WireAPIResource[] = [];
  for (const info of infos) {
    const gr = groupResourceString(info.groupResource);
    const name = `${gr}/${info.metric}`;
    if (seen.has(name)) continue;
    seen.add(name);
    resources.push({ name, singularName: '', namespaced: scope.get(gr) ?? info.namespaced, kind: 'MetricValueList', verbs: ['get'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${CUSTOM_METRICS_GROUP}/${version}`, resources };
}

/**
 * The `APIResourceList` of `external.metrics.k8s.io/v1beta1`: one namespaced entry per metric in the
 * given order, kind `ExternalMetricValueList`, verbs `["get"]`. Names are compared case-insensitively
 * (the HPA lower-cases them); the first spelling is kept.
 */
export function externalMetricsResourceList(infos: readonly ExternalMetricInfo[]): WireAPIResourceList {
  const seen = new Set<string>();
  const resources: WireAPIResource[] = [];
  for (const info of infos) {
    const key = info.metric.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    resources.push({ name: info.metric, singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${EXTERNAL_METRICS_GROUP}/${V1BETA1}`, resources };
}

/** The fixed `APIResourceList` of `metrics.k8s.io/v1beta1` (nodes, pods), as metrics-server serves it. */
export function resourceMetricsResourceList(): WireAPIResourceList {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${RESOURCE_METRICS_GROUP}/${V1BETA1}`,
    resources: [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  };
}

/** An API group to advertise: its versions in preference order (the first is preferred). */
export interface DiscoveryGroup {
  name: string;
  versions: readonly string[];
  /** Optional `serverAddressByClientCIDRs` (deployment-specific; the aggregator ignores it). */
  serverAddressByClientCIDRs?: ReadonlyArray<{ clientCIDR: string; serverAddress: string }>;
}

/** metav1.GroupVersionForDiscovery. */
export interface WireGroupVersion {
  groupVersion: string;
  version: string;
}

/** metav1.APIGroup (`kind`/`apiVersion` only when top-level). */
export interface WireAPIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: WireGroupVersion[];
  preferredVersion?: WireGroupVersion;
  serverAddressByClientCIDRs?: Array<{ clientCIDR: string; serverAddress: string }>;
}

/** metav1.APIGroupList, served at `/apis`. */
export interface WireAPIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: WireAPIGroup[];
}

function groupBody(g: DiscoveryGroup): WireAPIGroup {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  const cidrs = g.serverAddressByClientCIDRs;
  return {
    name: g.name,
    versions,
    preferredVersion: versions.length > 0 ? { ...versions[0] } : undefined,
    serverAddressByClientCIDRs:
      cidrs && cidrs.length > 0 ? cidrs.map((c) => ({ clientCIDR: c.clientCIDR, serverAddress: c.serverAddress })) : undefined,
  };
}

/** The `APIGroup` document at `/apis/<group>`. */
export function renderAPIGroup(group: DiscoveryGroup): WireAPIGroup {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupBody(group) };
}

/**
 * The `APIGroupList` at `/apis`. To match custom-metrics-apiserver, pass the custom group with its
 * first prioritised version only (contract §2.5); pass all versions for kube-apiserver's view.
 */
export function renderAPIGroupList(groups: readonly DiscoveryGroup[]): WireAPIGroupList {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupBody) };
}
