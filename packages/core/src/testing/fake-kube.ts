import { BUILTIN_RESOURCES, resourceInfos, type BuiltinResource } from '../builtin-resources.js';
import { NotFoundError } from '../errors.js';
import type { KubeLookup, KubeObject, ResourceInfo } from '../kube.js';
import { groupResourceString, type GroupResource, type GroupVersionKind } from '../model.js';
import type { Selector } from '../selector.js';

/** One resource type a {@link FakeKubeLookup} knows (what discovery would report). */
export type FakeResource = BuiltinResource;

/** Options of {@link FakeKubeLookup}. */
export interface FakeKubeLookupOptions {
  /** The objects in the fake cluster. */
  objects?: readonly KubeObject[];
  /** Extra resource types, added to {@link DEFAULT_FAKE_RESOURCES} (same group-resource replaces). */
  resources?: readonly FakeResource[];
}

/** The resource types every {@link FakeKubeLookup} knows: core's {@link BUILTIN_RESOURCES}. */
export const DEFAULT_FAKE_RESOURCES: readonly FakeResource[] = BUILTIN_RESOURCES;

const objectId = (group: string, kind: string, namespace: string | undefined, name: string) =>
  `${group}\u0000${kind}\u0000${namespace ?? ''}\u0000${name}`;

/**
 * FakeKubeLookup is an in-memory {@link KubeLookup}: a static set of objects plus the resource
 * types of {@link DEFAULT_FAKE_RESOURCES}. Use it to test a backend without a cluster:
 * `new FakeKubeLookup({ objects: [...] })`, then `add`/`remove` objects as the test goes.
 * Unknown resources throw a 404 `NotFoundError`, as the real lookup does.
 */
export class FakeKubeLookup implements KubeLookup {
  readonly #objects = new Map<string, KubeObject>();
  readonly #byResource = new Map<string, FakeResource>();

  constructor(options: FakeKubeLookupOptions = {}) {
    for (const r of [...DEFAULT_FAKE_RESOURCES, ...(options.resources ?? [])]) {
      this.#byResource.set(groupResourceString(r.groupResource), r);
    }
    this.add(...(options.objects ?? []));
  }

  /** Adds objects, replacing any with the same group, kind, namespace and name. */
  add(...objects: KubeObject[]): void {
    for (const o of objects) this.#objects.set(objectId(o.gvk.group, o.gvk.kind, o.namespace, o.name), o);
  }

  /** Removes an object; returns whether it existed. */
  remove(object: Pick<KubeObject, 'name' | 'namespace'> & { gvk: Pick<GroupVersionKind, 'group' | 'kind'> }): boolean {
    return this.#objects.delete(objectId(object.gvk.group, object.gvk.kind, object.namespace, object.name));
  }

  /** Every object, sorted by namespace then name. */
  get objects(): readonly KubeObject[] {
    return [...this.#objects.values()].sort(byNamespaceThenName);
  }

  #resource(gr: GroupResource): FakeResource {
    const r = this.#byResource.get(groupResourceString(gr));
    if (r === undefined) throw new NotFoundError(`the server doesn't have a resource type "${groupResourceString(gr)}"`);
    return r;
  }

  async listObjects(resource: GroupResource, namespace: string, selector: Selector): Promise<readonly KubeObject[]> {
    const r = this.#resource(resource);
    return [...this.#objects.values()]
      .filter(
        (o) =>
          o.gvk.group === r.gvk.group &&
          o.gvk.kind === r.gvk.kind &&
          (!r.namespaced || namespace === '' || o.namespace === namespace) &&
          selector.matches(o.labels),
      )
      .sort(byNamespaceThenName);
  }

  async getObject(resource: GroupResource, namespace: string, name: string): Promise<KubeObject | undefined> {
    const r = this.#resource(resource);
    return this.#objects.get(objectId(r.gvk.group, r.gvk.kind, r.namespaced ? namespace : undefined, name));
  }

  async kindFor(resource: GroupResource): Promise<GroupVersionKind> {
    return this.#resource(resource).gvk;
  }

  async resourceFor(group: string, kind: string): Promise<GroupResource> {
    for (const r of this.#byResource.values()) if (r.gvk.group === group && r.gvk.kind === kind) return r.groupResource;
    throw new NotFoundError(`no matches for kind "${kind}" in group "${group}"`);
  }

  async isNamespaced(resource: GroupResource): Promise<boolean> {
    return this.#resource(resource).namespaced;
  }

  async resources(): Promise<ResourceInfo[]> {
    return resourceInfos([...this.#byResource.values()]);
  }
}

function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const an = a.namespace ?? '';
  const bn = b.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
