import type { ServerConfig, ServerOptions } from '../config/types.js';
import { validateConfig } from '../config/validate.js';

/** Merges flag overrides into the file config and re-validates (flags win). */
export function mergeFlags(config: ServerConfig, flags: Partial<ServerOptions>): ServerConfig {
  return validateConfig({ ...config, server: { ...config.server, ...flags } }, '--flags/config');
}
