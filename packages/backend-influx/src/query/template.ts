// Query templates: `{{placeholder}}` tokens in a Flux or InfluxQL text, checked when the config is
// loaded and filled with already-escaped fragments per request. Pure: no I/O.

/** The placeholders a template may use, and what each becomes. */
export const PLACEHOLDERS = {
  /** Flux only: the configured bucket as a string literal (`"metrics"`). */
  bucket: 'flux',
  /** The lookback window as a duration literal (`5m`). */
  window: 'any',
  /** The request namespace as a string literal (`'default'` / `"default"`). */
  namespace: 'any',
  /** A predicate on the namespace tag (`true` when the metric is not namespaced). */
  namespaceFilter: 'any',
  /** Custom rules only: a predicate matching the object tag against the objects' names. */
  objectFilter: 'custom',
  /** Custom rules only: a regex literal matching exactly the objects' names (`/^(?:a|b)$/`). */
  names: 'custom',
  /** A predicate from the metric label selector (`true` when empty). */
  labelMatchers: 'any',
  /** Custom rules only: the object tag key as an identifier (InfluxQL `"pod"`) or string (Flux `"pod"`). */
  objectTag: 'custom',
  /** The namespace tag key, quoted like {@link PLACEHOLDERS.objectTag}. */
  namespaceTag: 'any',
} as const;

/** A placeholder name. */
export type Placeholder = keyof typeof PLACEHOLDERS;

const TOKEN = /\{\{\s*([A-Za-z]*)\s*\}\}/g;

/** Values for every placeholder a template may use; missing ones are a template error. */
export type TemplateValues = Partial<Record<Placeholder, string>>;

/**
 * Lists the placeholders `template` uses, throwing when it uses an unknown one, one not allowed
 * for `kind`/`dialect`, or leaves a stray `{{`/`}}`.
 */
export function templatePlaceholders(template: string, kind: 'custom' | 'external', dialect: 'flux' | 'influxql'): Placeholder[] {
  const used: Placeholder[] = [];
  for (const m of template.matchAll(TOKEN)) {
    const name = m[1];
    if (!Object.prototype.hasOwnProperty.call(PLACEHOLDERS, name)) {
      throw new Error(`unknown placeholder {{${name}}} (known: ${Object.keys(PLACEHOLDERS).join(', ')})`);
    }
    const scope = PLACEHOLDERS[name as Placeholder];
    if (scope === 'custom' && kind !== 'custom') throw new Error(`placeholder {{${name}}} is only available in custom-metric rules`);
    if (scope === 'flux' && dialect !== 'flux') throw new Error(`placeholder {{${name}}} is only available in Flux mode`);
    used.push(name as Placeholder);
  }
  const rest = template.replace(TOKEN, '');
  if (rest.includes('{{') || rest.includes('}}')) throw new Error('unbalanced "{{" or "}}" in query template');
  return used;
}

/** Replaces every placeholder of `template` by its value. Throws when a used value is missing. */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(TOKEN, (_all, name: string) => {
    const v = values[name as Placeholder];
    if (v === undefined) throw new Error(`no value for placeholder {{${name}}}`);
    return v;
  });
}
