import {
  BUILTIN_RESOURCES,
  groupResourceString,
  NotFoundError,
  parseGroupResource,
  resourceInfos,
  type BuiltinResource,
  type GroupResource,
  type GroupVersionKind,
  type KubeLookup,
  type KubeObject,
  type ResourceInfo,
  type Selector,
} from '@custom-metrics/core';
import { ConfigError, type ConfigProblem } from '../config/config-error.js';
import type { StandaloneObjectConfig, StandaloneResourceConfig } from '../config/types.js';

/** A resource type the lookup knows, with its singular name (for {@link StandaloneKubeLookup.resources}). */
interface KnownResource extends BuiltinResource {
  readonly singular: string;
}

const compare = (a: KubeObject, b: KubeObject): number => {
  const an = a.namespace ?? '';
  const bn = b.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
};

/**
 * StandaloneKubeLookup is the KubeLookup used without a cluster (`--standalone`, or no kubeconfig
 * outside a cluster): it knows the kinds of {@link BUILTIN_RESOURCES} plus those the config
 * declares in `standalone.resources` (CRDs such as `rollouts.argoproj.io`; a declared
 * group-resource replaces the built-in entry), and the objects declared in `standalone.objects`.
 * Namespaces referenced by declared objects exist implicitly.
 * @throws {ConfigError} naming the field: an object of an unknown resource, a resource declared
 * twice, or two declared resources with the same group and kind.
 */
export class StandaloneKubeLookup implements KubeLookup {
  readonly #resources = new Map<string, KnownResource>();
  readonly #objects = new Map<string, KubeObject[]>();

  constructor(
    objects: readonly StandaloneObjectConfig[] = [],
    declared: readonly StandaloneResourceConfig[] = [],
    options: {
      /** The config file, named in a {@link ConfigError} (default `config`). */
      readonly source?: string;
      /** The built-in kinds (default {@link BUILTIN_RESOURCES}). */
      readonly builtin?: readonly BuiltinResource[];
    } = {},
  ) {
    const source = options.source ?? 'config';
    for (const res of options.builtin ?? BUILTIN_RESOURCES) this.#resources.set(groupResourceString(res.groupResource), { ...res, singular: res.gvk.kind.toLowerCase() });
    this.#declare(declared, source);
    const namespaces = new Set<string>();
    objects.forEach((o, i) => {
      const res = this.#resources.get(groupResourceString(parseGroupResource(o.resource)));
      if (!res) {
        throw new ConfigError(
          [{ path: `standalone.objects[${i}].resource`, expected: `a known resource (${[...this.#resources.keys()].join(', ')}) or one declared in standalone.resources; got "${o.resource}"` }],
          source,
        );
      }
      const ns = res.namespaced ? (o.namespace ?? 'default') : undefined;
      if (ns !== undefined) namespaces.add(ns);
      this.#add(res, {
        gvk: res.gvk,
        name: o.name,
        ...(ns !== undefined ? { namespace: ns } : {}),
        ...(o.uid !== undefined ? { uid: o.uid } : {}),
        labels: { ...o.labels },
        annotations: { ...o.annotations },
        ...(o.podIP !== undefined ? { podIP: o.podIP } : {}),
        ...(o.phase !== undefined ? { phase: o.phase } : {}),
        ...(o.nodeName !== undefined ? { nodeName: o.nodeName } : {}),
      });
    });
    const nsRes = this.#resources.get('namespaces');
    if (nsRes) {
      for (const ns of namespaces) {
        if (!this.#find(nsRes, undefined, ns)) this.#add(nsRes, { gvk: nsRes.gvk, name: ns, labels: { 'kubernetes.io/metadata.name': ns }, annotations: {} });
      }
    }
    for (const list of this.#objects.values()) list.sort(compare);
  }

  #declare(declared: readonly StandaloneResourceConfig[], source: string): void {
    const problems: ConfigProblem[] = [];
    const byResource = new Map<string, number>();
    const byKind = new Map<string, number>();
    declared.forEach((d, i) => {
      const group = d.group ?? '';
      const gr = { group, resource: d.resource };
      const key = groupResourceString(gr);
      const kindKey = `${d.kind}.${group}`;
      const prevResource = byResource.get(key);
      const prevKind = byKind.get(kindKey);
      if (prevResource !== undefined) {
        problems.push({ path: `standalone.resources[${i}].resource`, expected: `a resource declared once ("${key}" is already declared by standalone.resources[${prevResource}])` });
        return;
      }
      if (prevKind !== undefined) {
        problems.push({ path: `standalone.resources[${i}].kind`, expected: `a kind declared once per group (kind "${d.kind}" in group "${group}" is already declared by standalone.resources[${prevKind}])` });
        return;
      }
      byResource.set(key, i);
      byKind.set(kindKey, i);
      // A built-in entry of the same kind under another resource name would make resourceFor ambiguous.
      for (const [k, r] of this.#resources) if (r.gvk.group === group && r.gvk.kind === d.kind && k !== key) this.#resources.delete(k);
      this.#resources.set(key, {
        groupResource: gr,
        gvk: { group, version: d.version, kind: d.kind },
        namespaced: d.namespaced ?? true,
        singular: d.singular ?? d.kind.toLowerCase(),
      });
    });
    if (problems.length > 0) throw new ConfigError(problems, source);
  }

  #add(res: BuiltinResource, o: KubeObject): void {
    const key = groupResourceString(res.groupResource);
    const list = this.#objects.get(key) ?? [];
    const i = list.findIndex((x) => x.name === o.name && x.namespace === o.namespace);
    if (i >= 0) list[i] = o;
    else list.push(o);
    this.#objects.set(key, list);
  }

  #find(res: BuiltinResource, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#objects.get(groupResourceString(res.groupResource))?.find((o) => o.name === name && o.namespace === namespace);
  }

  #resource(gr: GroupResource): KnownResource {
    const res = this.#resources.get(groupResourceString(gr));
    if (!res) throw new NotFoundError(`the server doesn't have a resource type "${groupResourceString(gr)}"`);
    return res;
  }

  async listObjects(resource: GroupResource, namespace: string, selector: Selector): Promise<readonly KubeObject[]> {
    const res = this.#resource(resource);
    return (this.#objects.get(groupResourceString(res.groupResource)) ?? []).filter(
      (o) => (!res.namespaced || namespace === '' || o.namespace === namespace) && selector.matches(o.labels),
    );
  }

  async getObject(resource: GroupResource, namespace: string, name: string): Promise<KubeObject | undefined> {
    const res = this.#resource(resource);
    return this.#find(res, res.namespaced ? namespace : undefined, name);
  }

  async kindFor(resource: GroupResource): Promise<GroupVersionKind> {
    return this.#resource(resource).gvk;
  }

  async resourceFor(group: string, kind: string): Promise<GroupResource> {
    for (const res of this.#resources.values()) if (res.gvk.group === group && res.gvk.kind === kind) return res.groupResource;
    throw new NotFoundError(`no matches for kind "${kind}" in group "${group}"`);
  }

  async isNamespaced(resource: GroupResource): Promise<boolean> {
    return this.#resource(resource).namespaced;
  }

  /** The kinds this lookup knows: the built-in resources and `standalone.resources`, core group first. */
  async resources(): Promise<ResourceInfo[]> {
    return resourceInfos([...this.#resources.values()]).map((r) => ({ ...r, singular: this.#resources.get(groupResourceString(r))?.singular ?? r.singular }));
  }
}
