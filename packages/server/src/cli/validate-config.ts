import { dirname } from 'node:path';
import { BackendLoader } from '../backends/loader.js';
import { loadConfigFile } from '../config/load.js';
import type { ServerConfig } from '../config/types.js';
import { validateBackendConfig } from '../config/validate.js';
import { StandaloneKubeLookup } from '../standalone/standalone-kube-lookup.js';

/**
 * checkConfigFile does everything `serve` does to a config short of starting: YAML, the server
 * schema, each backend's plugin (loaded) and its config against the plugin's schema, and the
 * standalone objects.
 * @throws {ConfigError} naming the JSON path of the first bad fields.
 */
export async function checkConfigFile(file: string, loader = new BackendLoader(dirname(file))): Promise<ServerConfig> {
  const config = await loadConfigFile(file);
  for (const [i, b] of config.backends.entries()) {
    const plugin = await loader.load(b.type, i);
    validateBackendConfig(plugin.configSchema, b.config, i, file);
  }
  new StandaloneKubeLookup(config.standalone.objects);
  return config;
}
