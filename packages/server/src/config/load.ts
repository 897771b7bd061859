import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { expandEnv } from './expand-env.js';
import { resolveServerPaths } from './paths.js';
import { parseConfigText, validateConfig } from './validate.js';
import type { ServerConfig } from './types.js';

/**
 * loadConfigFile reads a YAML config file, expands `${VAR}` references from `env`, resolves
 * relative `server:` paths against the file's directory and validates it; without a file, the
 * defaults.
 * @throws {ConfigError} when the file is unreadable or invalid.
 */
export async function loadConfigFile(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ServerConfig> {
  if (file === undefined) return validateConfig({});
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ path: '', expected: `a readable file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }], file);
  }
  const raw = expandEnv(parseConfigText(text, file), env, file);
  return validateConfig(resolveServerPaths(raw, dirname(resolve(file))), file);
}
