import { Ajv, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { ConfigError, problemsFromAjv } from './config-error.js';
import { expandEnv } from './expand-env.js';
import { serverConfigSchema } from './schema.js';
import type { ServerConfig } from './types.js';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(serverConfigSchema);
  return compiled;
}

/**
 * parseConfigText parses YAML text (JSON is YAML too) into a plain object.
 * @throws {ConfigError} on a YAML syntax error (path `(root)` with line and column).
 */
export function parseConfigText(text: string, source = 'config'): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ path: '', expected: `valid YAML (${e.message.split('\n')[0]})` })),
      source,
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  return value ?? {};
}

/**
 * validateConfig checks a parsed config against the server schema, fills in defaults and checks
 * what a schema cannot say (unique backend names, TLS cert and key together). Backend `config`
 * sections are validated later against each plugin's own schema ({@link validateBackendConfig}).
 * @throws {ConfigError} naming the JSON path of every bad field and what was expected.
 */
export function validateConfig(input: unknown, source = 'config'): ServerConfig {
  const data = structuredClone(input ?? {}) as Record<string, unknown>;
  const validate = validator();
  if (!validate(data)) throw new ConfigError(problemsFromAjv(validate.errors), source);
  const config = data as unknown as ServerConfig;
  const problems = [];
  const names = new Map<string, number>();
  config.backends.forEach((b, i) => {
    const prev = names.get(b.name);
    if (prev !== undefined) problems.push({ path: `backends[${i}].name`, expected: `a unique instance name ("${b.name}" is already used by backends[${prev}])` });
    else names.set(b.name, i);
  });
  const s = config.server;
  if ((s.tlsCertFile === undefined) !== (s.tlsPrivateKeyFile === undefined)) {
    problems.push({ path: s.tlsCertFile === undefined ? 'server.tlsCertFile' : 'server.tlsPrivateKeyFile', expected: 'to be set together with the other of tlsCertFile / tlsPrivateKeyFile' });
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
  return config;
}

/**
 * validateConfigText is {@link parseConfigText}, then {@link expandEnv} (`${VAR}` references in
 * string values, from `env`), then {@link validateConfig}.
 * @throws {ConfigError} for bad YAML, an unset variable (naming field and variable) or a bad field.
 */
export function validateConfigText(text: string, source = 'config', env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return validateConfig(expandEnv(parseConfigText(text, source), env, source), source);
}

const pluginValidators = new WeakMap<object, ValidateFunction>();

/**
 * validateBackendConfig validates `backends[index].config` against a plugin's `configSchema`
 * (ajv, defaults filled in) and returns the validated copy.
 * @throws {ConfigError} with paths like `backends[0].config.url`.
 */
export function validateBackendConfig(schema: Readonly<Record<string, unknown>>, config: unknown, index: number, source = 'config'): Record<string, unknown> {
  let validate = pluginValidators.get(schema);
  if (!validate) {
    try {
      validate = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(schema as Record<string, unknown>);
    } catch (e) {
      throw new ConfigError([{ path: `backends[${index}].type`, expected: `a plugin whose configSchema compiles (${(e as Error).message})` }], source);
    }
    pluginValidators.set(schema, validate);
  }
  const copy = structuredClone(config ?? {});
  if (!validate(copy)) throw new ConfigError(problemsFromAjv(validate.errors, `backends[${index}].config`), source);
  return copy as Record<string, unknown>;
}
