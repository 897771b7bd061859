import { BUILTIN_RESOURCES } from './builtin-resources.js';
import type { GroupResource, GroupVersionKind, ObjectReference } from './model.js';

/**
 * objectReference builds the `describedObject` of a metric value exactly as custom-metrics-apiserver's
 * `helpers.ReferenceFor` does: `apiVersion` is `<group>/<version>` (so `"/v1"` for the core group),
 * `kind` from `gvk`, `name`, and `namespace` as given — empty for cluster-scoped objects, where it
 * is omitted. It never sets `uid`.
 */
export function objectReference(gvk: GroupVersionKind, namespace: string | undefined, name: string): ObjectReference {
  // Two literals rather than a conditional spread: two fixed shapes, no spread per call.
  return namespace
    ? { kind: gvk.kind, namespace, name, apiVersion: `${gvk.group}/${gvk.version}` }
    : { kind: gvk.kind, name, apiVersion: `${gvk.group}/${gvk.version}` };
}

const CLUSTER_SCOPED: ReadonlySet<string> = new Set(
  BUILTIN_RESOURCES.filter((r) => !r.namespaced).map((r) => `${r.groupResource.resource}.${r.groupResource.group}`),
);

/**
 * Whether `groupResource` is a built-in cluster-scoped resource (`nodes`, `namespaces`,
 * `persistentvolumes`, `storageclasses.storage.k8s.io`, per {@link BUILTIN_RESOURCES}). Unknown
 * resources (CRDs) answer false: say `namespaced: false` in config for a cluster-scoped CRD.
 */
export function isClusterScoped(groupResource: GroupResource): boolean {
  return CLUSTER_SCOPED.has(`${groupResource.resource}.${groupResource.group}`);
}
