import type { GroupResource, GroupVersionKind } from './model.js';
import type { Selector } from './selector.js';

/** The metadata of one Kubernetes object, as a backend sees it through {@link KubeLookup}. */
export interface KubeObject {
  /** Group, version and kind of the object (e.g. `""`, `"v1"`, `"Pod"`). */
  readonly gvk: GroupVersionKind;
  readonly name: string;
  /** `undefined` for cluster-scoped objects. */
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Pods only: `status.podIP`. */
  readonly podIP?: string;
  /** Pods only: `status.phase`. */
  readonly phase?: string;
  /** Pods only: `spec.nodeName`. */
  readonly nodeName?: string;
  /**
   * The object's `spec` as the cluster serves it, for resources other than pods (whose useful
   * fields are above); `undefined` when the object has none. Read-only: it may be the cache's own
   * copy. E.g. the Datadog backend reads a `DatadogMetric`'s `spec.query` from here.
   */
  readonly spec?: Readonly<Record<string, unknown>>;
}

/** One resource type the cluster serves, as discovery reports it (a RESTMapper's entry). */
export interface ResourceInfo {
  /** API group, `""` for the core group (e.g. `argoproj.io`). */
  readonly group: string;
  /** Plural resource name (e.g. `rollouts`). */
  readonly resource: string;
  /** Kind in the preferred version (e.g. `Rollout`). */
  readonly kind: string;
  readonly namespaced: boolean;
  /** Singular name (discovery's `singularName`, else the lower-cased kind), e.g. `rollout`. */
  readonly singular: string;
}

/**
 * KubeLookup is a backend's only view of the cluster. The server implements it over informer
 * caches (list + watch), so calls are cheap and never LIST kube-apiserver per request.
 * Without a cluster the server supplies a static implementation.
 */
export interface KubeLookup {
  /**
   * listObjects returns the objects of `resource` in `namespace` (`""` for all namespaces, or for
   * cluster-scoped resources) that match `selector`, sorted by namespace then name.
   * Throws a `MetricsError` (404) when the resource is unknown to the cluster.
   *
   * The list is read-only: an implementation may hand the same (frozen) array to every caller
   * while the cluster view is unchanged, so a caller can also recognise an unchanged answer by
   * its identity (the server's informer lookup does both).
   */
  listObjects(resource: GroupResource, namespace: string, selector: Selector): Promise<readonly KubeObject[]>;
  /** getObject returns one object, or `undefined` when it does not exist. */
  getObject(resource: GroupResource, namespace: string, name: string): Promise<KubeObject | undefined>;
  /** kindFor maps a group-resource to its preferred group-version-kind (from discovery). Throws 404 when unknown. */
  kindFor(resource: GroupResource): Promise<GroupVersionKind>;
  /** resourceFor maps a group + kind to its group-resource (from discovery). Throws 404 when unknown. */
  resourceFor(group: string, kind: string): Promise<GroupResource>;
  /** isNamespaced tells whether a resource is namespaced (from discovery). Throws 404 when unknown. */
  isNamespaced(resource: GroupResource): Promise<boolean>;
  /**
   * resources lists every resource type the cluster serves (CRDs included), from discovery that
   * the server refreshes periodically; without a cluster, the kinds the config declares. Each
   * group-resource appears once, core group first. Rejects (503) only when discovery never loaded.
   */
  resources(): Promise<ResourceInfo[]>;
}
