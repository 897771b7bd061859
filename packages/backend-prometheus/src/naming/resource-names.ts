import type { GroupResource } from '@custom-metrics/core';

const IRREGULAR_SINGULAR: Record<string, string> = {
  endpoints: 'endpoints',
  ingresses: 'ingress',
  ingressclasses: 'ingressclass',
  storageclasses: 'storageclass',
  priorityclasses: 'priorityclass',
  runtimeclasses: 'runtimeclass',
  networkpolicies: 'networkpolicy',
  podsecuritypolicies: 'podsecuritypolicy',
};

/**
 * singularize turns a plural, lower-case Kubernetes resource name into its singular form, as a
 * RESTMapper's `ResourceSingularizer` does for the resources it knows (`pods` → `pod`,
 * `networkpolicies` → `networkpolicy`, `ingresses` → `ingress`).
 */
export function singularize(resource: string): string {
  const r = resource.toLowerCase();
  if (r in IRREGULAR_SINGULAR) return IRREGULAR_SINGULAR[r];
  if (r.endsWith('ies') && r.length > 3) return `${r.slice(0, -3)}y`;
  if (/(sses|xes|ches|shes)$/.test(r)) return r.slice(0, -2);
  if (r.endsWith('s') && !r.endsWith('ss')) return r.slice(0, -1);
  return r;
}

/**
 * pluralize turns a resource name that may be singular (`pod`, `deployment`, `ingress`) into the
 * plural form Kubernetes uses; a name that already looks plural is returned lower-cased.
 */
export function pluralize(resource: string): string {
  const r = resource.toLowerCase();
  if (Object.values(IRREGULAR_SINGULAR).includes(r)) {
    return Object.keys(IRREGULAR_SINGULAR).find((k) => IRREGULAR_SINGULAR[k] === r) as string;
  }
  if (r in IRREGULAR_SINGULAR) return r;
  if (r.endsWith('s') && !r.endsWith('ss')) return r;
  if (/[^aeiou]y$/.test(r)) return `${r.slice(0, -1)}ies`;
  if (/(ss|x|ch|sh)$/.test(r)) return `${r}es`;
  return `${r}s`;
}

/** Normalizes a config group-resource (`{resource: "pod"}`) to the plural form (`pods`). */
export function normalizeGroupResource(gr: { group?: string; resource: string }): GroupResource {
  return { group: gr.group ?? '', resource: pluralize(gr.resource) };
}

/** The `namespaces` group-resource, which carries the namespace label of every namespaced series. */
export const NAMESPACES: GroupResource = Object.freeze({ group: '', resource: 'namespaces' });

/** Resources that are never namespaced: metrics on them are root-scoped. */
export function isRootScoped(gr: GroupResource): boolean {
  return gr.group === '' && (gr.resource === 'namespaces' || gr.resource === 'nodes' || gr.resource === 'persistentvolumes');
}

/** A map key for a group-resource. */
export function grKey(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}
