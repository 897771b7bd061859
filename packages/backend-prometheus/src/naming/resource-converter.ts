import type { GroupResource } from '@custom-metrics/core';
import { ConfigError } from '../errors.js';
import type { ResourceMappingConfig } from '../config.js';
import { isLabelName } from './promql.js';
import { grKey, NAMESPACES, normalizeGroupResource, singularize } from './resource-names.js';
import { compileTemplate, type CompiledTemplate } from './template.js';

/** What a label names, read back by {@link ResourceConverter.resourceForLabel}. */
export interface LabelResource {
  /** The override's group-resource, or a best guess from the template (`_` read as `.`). */
  resource: GroupResource;
  /** True for an override (trusted); false for a template candidate the caller must resolve. */
  exact: boolean;
  /** False when the template has no `.Group`, so any API group may hold it. */
  groupKnown: boolean;
  /** The resource part as the label spells it (the singular for templates, e.g. `rollout`). */
  name: string;
  /** The `.Group` part as the label spells it (`.` and `-` became `_`, e.g. `argoproj_io`). */
  groupText?: string;
}

const GROUP_MARK = '\uE000G\uE000';
const RESOURCE_MARK = '\uE000R\uE000';

/**
 * ResourceConverter maps Prometheus label names to Kubernetes group-resources and back for one
 * rule, from its `resources` block: `overrides` (label → group-resource) first, then `template`
 * (`<<.Group>>`, `<<.Resource>>`; `.Group` has `.` and `-` replaced by `_`, `.Resource` is
 * singular). Pure: deciding whether a template-derived candidate really exists in the cluster is
 * the caller's job.
 */
export class ResourceConverter {
  readonly #template?: CompiledTemplate;
  readonly #extract?: RegExp;
  readonly #labelToResource = new Map<string, GroupResource>();
  readonly #resourceToLabel = new Map<string, string>();

  constructor(mapping: ResourceMappingConfig | undefined, path: string) {
    if (mapping?.template) {
      try {
        this.#template = compileTemplate(mapping.template);
        this.#extract = extractor(this.#template);
      } catch (e) {
        throw new ConfigError(`${path}.template`, (e as Error).message);
      }
    }
    for (const [label, gr] of Object.entries(mapping?.overrides ?? {})) {
      if (!isLabelName(label)) throw new ConfigError(`${path}.overrides.${label}`, 'not a valid Prometheus label name');
      const n = normalizeGroupResource(gr);
      this.#labelToResource.set(label, n);
      this.#resourceToLabel.set(grKey(n), label);
    }
  }

  /** Whether this converter can map anything (a template or at least one override). */
  get configured(): boolean {
    return this.#template !== undefined || this.#labelToResource.size > 0;
  }

  /**
   * labelForResource returns the label holding names of `gr`: the override naming it, else the
   * template applied to it. Returns undefined when neither applies.
   */
  labelForResource(gr: GroupResource): string | undefined {
    const o = this.#resourceToLabel.get(grKey(gr));
    if (o !== undefined) return o;
    if (this.#template === undefined) return undefined;
    const label = this.#template.execute({ Group: gr.group.replace(/[.-]/g, '_'), Resource: singularize(gr.resource) });
    return label === '' || !isLabelName(label) ? undefined : label;
  }

  /**
   * resourceForLabel returns the group-resource a label names: the override, or a candidate read
   * back through the template (`exact` false: the caller must check it exists; `groupKnown` false
   * when the template has no `.Group`, so any API group may hold it). Undefined when the label
   * names no resource.
   */
  resourceForLabel(label: string): LabelResource | undefined {
    const o = this.#labelToResource.get(label);
    if (o !== undefined) return { resource: o, exact: true, groupKnown: true, name: o.resource };
    if (this.#extract === undefined) return undefined;
    const m = this.#extract.exec(label);
    if (!m?.groups?.resource) return undefined;
    const group = (m.groups.group ?? '').replace(/_/g, '.');
    return {
      resource: normalizeGroupResource({ group, resource: m.groups.resource }),
      exact: false,
      groupKnown: m.groups.group !== undefined,
      name: m.groups.resource,
      ...(m.groups.group !== undefined ? { groupText: m.groups.group } : {}),
    };
  }

  /** The label of the `namespaces` resource, defaulting to `namespace` when unmapped. */
  namespaceLabel(): string {
    return this.labelForResource(NAMESPACES) ?? 'namespace';
  }
}

/** Builds a regex reading `.Group` and `.Resource` back out of a label rendered by the template. */
function extractor(t: CompiledTemplate): RegExp {
  const rendered = t.execute({ Group: GROUP_MARK, Resource: RESOURCE_MARK });
  const parts = rendered.split(/(\uE000[GR]\uE000)/);
  let re = '^';
  let hasResource = false;
  let hasGroup = false;
  for (const p of parts) {
    if (p === GROUP_MARK) {
      if (hasGroup) throw new Error('template uses .Group twice; cannot read labels back');
      hasGroup = true;
      re += '(?<group>[A-Za-z0-9_]*?)';
    } else if (p === RESOURCE_MARK) {
      if (hasResource) throw new Error('template uses .Resource twice; cannot read labels back');
      hasResource = true;
      re += '(?<resource>[A-Za-z0-9]+?)';
    } else re += p.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  }
  if (!hasResource) throw new Error('template must use .Resource');
  return new RegExp(`${re}$`);
}
