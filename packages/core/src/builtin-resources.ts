import type { ResourceInfo } from './kube.js';
import type { GroupResource, GroupVersionKind } from './model.js';

/** One built-in Kubernetes resource type: its group-resource, kind and scope. */
export interface BuiltinResource {
  readonly groupResource: GroupResource;
  readonly gvk: GroupVersionKind;
  readonly namespaced: boolean;
}

const r = (resource: string, group: string, version: string, kind: string, namespaced = true): BuiltinResource =>
  Object.freeze({ groupResource: Object.freeze({ group, resource }), gvk: Object.freeze({ group, version, kind }), namespaced });

/**
 * The resource ↔ kind mapping of common built-in resources, as a cluster's discovery reports it;
 * used where there is no cluster to ask (the server's standalone mode, `FakeKubeLookup`).
 */
export const BUILTIN_RESOURCES: readonly BuiltinResource[] = Object.freeze([
  r('pods', '', 'v1', 'Pod'),
  r('services', '', 'v1', 'Service'),
  r('endpoints', '', 'v1', 'Endpoints'),
  r('configmaps', '', 'v1', 'ConfigMap'),
  r('persistentvolumeclaims', '', 'v1', 'PersistentVolumeClaim'),
  r('replicationcontrollers', '', 'v1', 'ReplicationController'),
  r('serviceaccounts', '', 'v1', 'ServiceAccount'),
  r('namespaces', '', 'v1', 'Namespace', false),
  r('nodes', '', 'v1', 'Node', false),
  r('persistentvolumes', '', 'v1', 'PersistentVolume', false),
  r('deployments', 'apps', 'v1', 'Deployment'),
  r('statefulsets', 'apps', 'v1', 'StatefulSet'),
  r('replicasets', 'apps', 'v1', 'ReplicaSet'),
  r('daemonsets', 'apps', 'v1', 'DaemonSet'),
  r('jobs', 'batch', 'v1', 'Job'),
  r('cronjobs', 'batch', 'v1', 'CronJob'),
  r('ingresses', 'networking.k8s.io', 'v1', 'Ingress'),
  r('horizontalpodautoscalers', 'autoscaling', 'v2', 'HorizontalPodAutoscaler'),
  r('poddisruptionbudgets', 'policy', 'v1', 'PodDisruptionBudget'),
  r('storageclasses', 'storage.k8s.io', 'v1', 'StorageClass', false),
]);

/**
 * resourceInfos turns resource types into {@link ResourceInfo} entries (singular: the lower-cased
 * kind, as a RESTMapper defaults it), core group first, then in the given order; a repeated
 * group-resource keeps its first entry.
 */
export function resourceInfos(list: readonly BuiltinResource[]): ResourceInfo[] {
  const seen = new Set<string>();
  const out: ResourceInfo[] = [];
  for (const r of [...list.filter((x) => x.groupResource.group === ''), ...list.filter((x) => x.groupResource.group !== '')]) {
    const key = `${r.groupResource.resource}.${r.groupResource.group}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ group: r.groupResource.group, resource: r.groupResource.resource, kind: r.gvk.kind, namespaced: r.namespaced, singular: r.gvk.kind.toLowerCase() });
  }
  return out;
}
