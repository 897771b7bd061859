import { dirname } from 'node:path';
import type { Middleware } from 'koa';
import { BackendLoader } from '../backends/loader.js';
import { isConfigError } from '../config/config-error.js';
import { loadConfigFile } from '../config/load.js';
import type { ServerConfig, ServerOptions } from '../config/types.js';
import { buildContainer } from '../container.js';
import { chooseCluster } from '../kube/clients.js';
import { createLogger } from '../observability/logger.js';
import { ServerMetrics } from '../observability/server-metrics.js';
import { StandaloneKubeLookup } from '../standalone/standalone-kube-lookup.js';
import { mergeFlags } from './merge-flags.js';
import { checkServerFiles } from './server-files.js';
import { checkDebugAddress } from '../debug/listener.js';

const refuse: Middleware = async () => {
  throw new Error('validate-config serves no requests');
};

/**
 * checkConfigFile is a dry run of `serve`: it does everything `serve` does before it listens or
 * calls out — reads the config (`${VAR}` references, YAML, the server schema), merges the
 * flags, reads every file the config and flags name ({@link checkServerFiles}), loads the
 * kubeconfig serve would choose ({@link chooseCluster}), and builds every
 * backend instance (plugin loaded, config checked against its schema, `create` run: templates,
 * regexes, secret files), then closes them without starting them. Whatever `serve` would reject
 * at start-up it rejects with the same message.
 * @throws {ConfigError} naming the JSON path of the bad fields.
 */
export async function checkConfigFile(
  file: string | undefined,
  flags: Partial<ServerOptions> = {},
  loader = new BackendLoader(file ? dirname(file) : process.cwd()),
): Promise<ServerConfig> {
  const source = file ?? 'config';
  const config = mergeFlags(await loadConfigFile(file), flags);
  checkServerFiles(config, source);
  checkDebugAddress(config.server.debugAddress);
  // The cluster serve would choose (kubeconfig files loaded; no connection is made).
  const s = config.server;
  if (!s.standalone) chooseCluster({ kubeconfig: s.kubeconfig, authenticationKubeconfig: s.authenticationKubeconfig, authorizationKubeconfig: s.authorizationKubeconfig });
  const sc = await buildContainer({
    config,
    kube: new StandaloneKubeLookup(config.standalone.objects, config.standalone.resources, { source }),
    logger: createLogger('silent'),
    authentication: refuse,
    authorization: refuse,
    loader,
    metrics: new ServerMetrics(),
    source,
  });
  try {
    // Conflicts among the metrics instances list before they start (static lists, e.g. memory).
    // A backend that discovers its metrics lists them only after start; serve checks those then.
    try {
      sc.registry.checkConflicts();
    } catch (e) {
      if (isConfigError(e)) throw e;
    }
  } finally {
    await sc.closeBackends(1_000);
  }
  return config;
}
