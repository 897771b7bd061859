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
