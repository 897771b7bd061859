/** A BackendContext for tests: a logger and metrics that record everything, and a static cluster. */
import type { BackendContext, GroupResource, GroupVersionKind, KubeLookup, KubeObject, Selector } from '@custom-metrics/core';

/** What a test context recorded. */
export interface Recorded {
  /** Every log call, serialised (fields and message). */
  logs: string[];
  counts: Map<string, number>;
  cache: string[];
  calls: Array<{ operation: string; outcome: string; query?: string }>;
}

const grKey = (gr: GroupResource) => `${gr.resource}.${gr.group}`;

/** A static KubeLookup over `objects` (resource key `pods.` for core pods). */
export function staticKube(objects: Array<KubeObject & { resource: GroupResource }>): KubeLookup {
  const kinds = new Map<string, GroupVersionKind>();
  for (const o of objects) kinds.set(grKey(o.resource), o.gvk);
  return {
    async listObjects(resource: GroupResource, namespace: string, selector: Selector) {
      return objects
        .filter((o) => grKey(o.resource) === grKey(resource) && (namespace === '' || o.namespace === namespace) && selector.matches(o.labels))
        .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    },
    async getObject(resource, namespace, name) {
      return objects.find((o) => grKey(o.resource) === grKey(resource) && (o.namespace ?? '') === namespace && o.name === name);
    },
    async kindFor(resource) {
      const k = kinds.get(grKey(resource));
      if (!k) throw new Error(`unknown resource ${grKey(resource)}`);
      return k;
    },
    async resourceFor(group, kind) {
      const o = objects.find((x) => x.gvk.group === group && x.gvk.kind === kind);
      if (!o) throw new Error('unknown kind');
      return o.resource;
    },
    async isNamespaced(resource) {
      return !(resource.group === '' && ['namespaces', 'nodes'].includes(resource.resource));
    },
    async resources() {
      const seen = new Map<string, { group: string; resource: string; kind: string; namespaced: boolean; singular: string }>();
      for (const o of objects) {
        seen.set(grKey(o.resource), { ...o.resource, kind: o.gvk.kind, namespaced: o.namespace !== undefined, singular: o.gvk.kind.toLowerCase() });
      }
      return [...seen.values()];
    },
  };
}

/** recordingContext builds a context; `abort()` simulates server shutdown. */
export function recordingContext(kube: KubeLookup = staticKube([])): { ctx: BackendContext; rec: Recorded; abort(): void } {
  const rec: Recorded = { logs: [], counts: new Map(), cache: [], calls: [] };
  const log = (level: string) => (obj: object | string, msg?: string) => void rec.logs.push(`${level} ${JSON.stringify(obj)} ${msg ?? ''}`);
  const controller = new AbortController();
  return {
    rec,
    abort: () => controller.abort(),
    ctx: {
      instanceName: 'dd-test',
      kube,
      signal: controller.signal,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      metrics: {
        observeCall: (operation, _s, outcome, query) => void rec.calls.push({ operation, outcome, ...(query !== undefined ? { query } : {}) }),
        cache: (r) => void rec.cache.push(r),
        count: (event, n = 1) => void rec.counts.set(event, (rec.counts.get(event) ?? 0) + n),
        gauge: () => undefined,
      },
    },
  };
}
