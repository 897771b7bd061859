import { readFile } from 'node:fs/promises';
import { ConfigError } from './config-error.js';
import { validateConfig, validateConfigText } from './validate.js';
import type { ServerConfig } from './types.js';

/**
 * loadConfigFile reads a YAML config file, expands `${VAR}` references from `env` and validates
 * it; without a file, the defaults.
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
  return validateConfigText(text, file, env);
}
