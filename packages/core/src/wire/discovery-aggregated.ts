/**
 * Aggregated discovery (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`, contract §2.5 and §7.6),
 * built from the same `APIResourceList`s the legacy endpoints serve, exactly as kube-aggregator
 * converts them (`ConvertGroupVersionIntoToDiscovery`).
 */
import type { WireAPIResource, WireAPIResourceList } from './discovery.js';

/** metav1.GroupVersionKind as discovery writes it. */
export interface WireGroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** apidiscovery v2 APISubresourceDiscovery. */
export interface WireSubresourceDiscovery {
  subresource: string;
  responseKind: WireGroupVersionKind;
  verbs: string[] | null;
}

/** apidiscovery v2 APIResourceDiscovery. */
export interface WireResourceDiscovery {
  resource: string;
  responseKind: WireGroupVersionKind;
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[] | null;
  shortNames?: string[];
  categories?: string[];
  subresources?: WireSubresourceDiscovery[];
}

/** apidiscovery v2 APIVersionDiscovery. */
export interface WireVersionDiscovery {
  version: string;
  resources?: WireResourceDiscovery[];
  freshness: 'Current' | 'Stale';
}

/** apidiscovery v2 APIGroupDiscovery (an item: no kind). */
export interface WireGroupDiscovery {
  metadata: { name: string };
  versions?: WireVersionDiscovery[];
}

/** apidiscovery v2 APIGroupDiscoveryList. */
export interface WireGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: 'apidiscovery.k8s.io/v2';
  metadata: Record<string, never>;
  items: WireGroupDiscovery[];
}

const scopeOf = (r: WireAPIResource): 'Namespaced' | 'Cluster' => (r.namespaced ? 'Namespaced' : 'Cluster');
const gvk = (r: WireAPIResource): WireGroupVersionKind => ({ group: r.group ?? '', version: r.version ?? '', kind: r.kind });
const list = (a: string[] | undefined): string[] | undefined => (a && a.length > 0 ? [...a] : undefined);

/**
 * Converts one APIResourceList as kube-aggregator does: top-level resources first, in order; then
 * every `parent/sub` entry becomes a subresource of `parent`, creating a placeholder parent
 * (`responseKind` all empty, `verbs: null`) on first appearance.
 *
 * @throws Error with the aggregator's message when a subresource's scope differs from its parent's
 *   (the lists built by `customMetricsResourceList` never do).
 */
export function convertResourceList(resources: readonly WireAPIResource[]): WireResourceDiscovery[] {
  const out: WireResourceDiscovery[] = [];
  const parents = new Map<string, number>();
  for (const r of resources) {
    if (r.name.includes('/')) continue;
    out.push({
      resource: r.name,
      responseKind: gvk(r),
      scope: scopeOf(r),
      singularResource: r.singularName,
      verbs: r.verbs ? [...r.verbs] : null,
      shortNames: list(r.shortNames),
      categories: list(r.categories),
    });
    parents.set(r.name, out.length - 1);
  }
  for (const r of resources) {
    const slash = r.name.indexOf('/');
    if (slash < 0) continue;
    const parentName = r.name.slice(0, slash);
    const sub = r.name.slice(slash + 1);
    const scope = scopeOf(r);
    let idx = parents.get(parentName);
    if (idx === undefined) {
      out.push({
        resource: parentName,
        responseKind: { group: '', version: '', kind: '' },
        scope,
        singularResource: '',
        verbs: null,
      });
      idx = out.length - 1;
      parents.set(parentName, idx);
    }
    const parent = out[idx];
    if (parent.scope !== scope) {
      throw new Error(
        `Error: Parent ${parentName} (scope: ${parent.scope}) and subresource ${sub} (scope: ${scope}) scope do not match`,
      );
    }
    const entry: WireSubresourceDiscovery = {
      subresource: sub,
      responseKind: r.kind ? gvk(r) : { group: '', version: '', kind: '' },
      verbs: r.verbs ? [...r.verbs] : null,
    };
    (parent.subresources ??= []).push(entry);
  }
  return out;
}

/**
 * The `APIGroupDiscoveryList` for `GET /apis` with the v2 Accept header
 * (`AGGREGATED_DISCOVERY_CONTENT_TYPE`). `groups` holds, per API group, its APIResourceLists
 * in preference order (newest first), e.g.
 * `[[customMetricsResourceList('v1beta2', infos), customMetricsResourceList('v1beta1', infos)],
 *   [externalMetricsResourceList(ext)]]`. All versions are `Current`; a version without resources
 * has no `resources` key (Go `omitempty`).
 */
export function renderAggregatedDiscovery(groups: ReadonlyArray<readonly WireAPIResourceList[]>): WireGroupDiscoveryList {
  const items: WireGroupDiscovery[] = [];
  for (const lists of groups) {
    if (lists.length === 0) continue;
    const name = groupOf(lists[0].groupVersion);
    const versions = lists.map((l): WireVersionDiscovery => {
      const resources = convertResourceList(l.resources);
      return {
        version: versionOf(l.groupVersion),
        resources: resources.length > 0 ? resources : undefined,
        freshness: 'Current',
      };
    });
    items.push({ metadata: { name }, versions });
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

function groupOf(groupVersion: string): string {
  const slash = groupVersion.indexOf('/');
  return slash < 0 ? '' : groupVersion.slice(0, slash);
}

function versionOf(groupVersion: string): string {
  const slash = groupVersion.indexOf('/');
  return slash < 0 ? groupVersion : groupVersion.slice(slash + 1);
}
