import { ConfigError } from './errors.js';

type Schema = Readonly<Record<string, unknown>>;

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

/**
 * validateAgainstSchema checks `value` against the JSON-Schema subset {@link configSchema} uses
 * (`type`, `properties`, `additionalProperties` false or a schema, `required`, `items`, `enum`,
 * `minLength`, `minimum`, `pattern`), so the backend rejects a bad config with the field's path
 * even when the host did not validate it.
 * @throws {ConfigError} at the first violation, e.g. `config.rules[3].metricQuery: unknown field`.
 */
export function validateAgainstSchema(schema: Schema, value: unknown, path: string): void {
  const type = schema.type as string | undefined;
  const actual = typeOf(value);
  if (type !== undefined && !(actual === type || (type === 'number' && actual === 'integer'))) {
    throw new ConfigError(path, `expected ${type}, got ${actual}`);
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) {
    throw new ConfigError(path, `must be one of ${(schema.enum as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) throw new ConfigError(path, 'must not be empty');
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern as string).test(value)) {
      throw new ConfigError(path, `invalid value ${JSON.stringify(value)}`);
    }
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) {
    throw new ConfigError(path, `must be at least ${schema.minimum}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => validateAgainstSchema(schema.items as Schema, v, `${path}[${i}]`));
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (obj[key] === undefined) throw new ConfigError(`${path}.${key}`, 'required field is missing');
    }
    for (const [key, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      if (key in props) validateAgainstSchema(props[key], v, `${path}.${key}`);
      else if (schema.additionalProperties === false) throw new ConfigError(`${path}.${key}`, 'unknown field');
      else if (typeof schema.additionalProperties === 'object') {
        validateAgainstSchema(schema.additionalProperties as Schema, v, `${path}.${key}`);
      }
    }
  }
}
