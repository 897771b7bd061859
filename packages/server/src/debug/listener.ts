// Starting the debug listener from `serve`: a bad address is a config error; a busy port is
// logged and the server runs without the page (the debug page is never worth failing start-up).
import type { Logger } from '@custom-metrics/core';
import { ConfigError } from '../config/config-error.js';
import type { ServerConfig } from '../config/types.js';
import type { ServerContainer } from '../container.js';
import type { ExplainCluster } from './explain-endpoint.js';
import { DebugAddressError, parseDebugAddress, startDebugServer, type DebugServer } from './debug-server.js';

/**
 * checkDebugAddress validates `server.debugAddress` (empty: disabled).
 * @throws {ConfigError} naming the field when it is not a loopback `HOST:PORT`.
 */
export function checkDebugAddress(address: string): void {
  if (!address) return;
  try {
    parseDebugAddress(address);
  } catch (e) {
    if (e instanceof DebugAddressError) throw new ConfigError([{ path: 'server.debugAddress', expected: e.message }]);
    throw e;
  }
}

/** startDebugListener starts the debug page unless disabled; resolves undefined when disabled or the port is taken (logged). */
export async function startDebugListener(sc: ServerContainer, config: ServerConfig, logger: Logger, cluster?: ExplainCluster): Promise<DebugServer | undefined> {
  const address = config.server.debugAddress;
  if (!address) return undefined;
  try {
    const server = await startDebugServer(address, sc, config, cluster ? { cluster } : {});
    logger.info({ url: `${server.url}/debug/` }, 'debug page listening');
    return server;
  } catch (e) {
    logger.warn({ address, err: (e as Error).message }, 'debug page not started (set --debug-address to a free loopback port, or empty to disable it)');
    return undefined;
  }
}
