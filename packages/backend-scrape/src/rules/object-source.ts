import type { GroupResource, KubeLookup, KubeObject, Selector } from '@custom-metrics/core';

/** Where a custom-metrics provider finds the objects a request describes. */
export interface ObjectSource {
  list(resource: GroupResource, namespace: string, selector: Selector): Promise<readonly KubeObject[]>;
  get(resource: GroupResource, namespace: string, name: string): Promise<KubeObject | undefined>;
}

/** The static targets' pods as objects (standalone mode); other resources come from `fallback`. */
export class StaticPodSource implements ObjectSource {
  readonly #pods: KubeObject[];

  constructor(
    pods: ReadonlyArray<{ namespace: string; name: string; labels: Record<string, string> }>,
    readonly fallback: KubeLookup,
  ) {
    const seen = new Set<string>();
    this.#pods = [];
    for (const p of pods) {
      const key = `${p.namespace}/${p.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.#pods.push({ gvk: { group: '', version: 'v1', kind: 'Pod' }, name: p.name, namespace: p.namespace, labels: { ...p.labels }, annotations: {} });
    }
    this.#pods.sort((a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name));
  }

  async list(resource: GroupResource, namespace: string, selector: Selector): Promise<readonly KubeObject[]> {
    if (!isPods(resource)) return this.fallback.listObjects(resource, namespace, selector);
    return this.#pods.filter((p) => (namespace === '' || p.namespace === namespace) && selector.matches(p.labels as Record<string, string>));
  }

  async get(resource: GroupResource, namespace: string, name: string): Promise<KubeObject | undefined> {
    if (!isPods(resource)) return this.fallback.getObject(resource, namespace, name);
    return this.#pods.find((p) => p.namespace === namespace && p.name === name);
  }
}

/** Objects from the cluster through {@link KubeLookup}. */
export class KubeObjectSource implements ObjectSource {
  constructor(readonly kube: KubeLookup) {}
  list(resource: GroupResource, namespace: string, selector: Selector): Promise<readonly KubeObject[]> {
    return this.kube.listObjects(resource, namespace, selector);
  }
  get(resource: GroupResource, namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.kube.getObject(resource, namespace, name);
  }
}

function isPods(gr: GroupResource): boolean {
  return gr.group === '' && gr.resource === 'pods';
}

