import { dirname } from 'node:path';
import type { Middleware } from 'koa';
import type { KubeLookup } from '@custom-metrics/core';
import { authenticationMiddleware } from '../auth/authentication.js';
import { authorizationMiddleware } from '../auth/authorization.js';
import { createSecurity } from '../auth/index.js';
import { BackendLoader } from '../backends/loader.js';
import { buildContainer } from '../container.js';
import { loadConfigFile } from '../config/load.js';
import { startConfigReload, type ReloadOutcome } from '../config/reload.js';
import type { ServerConfig, ServerOptions } from '../config/types.js';
import { chooseCluster, InformerKubeLookup, type KubeClients } from '../kube/index.js';
import { createLogger, type PinoLogger } from '../observability/logger.js';
import { ServerMetrics } from '../observability/server-metrics.js';
import { StandaloneKubeLookup } from '../standalone/standalone-kube-lookup.js';
import { createSecureServer } from '../tls/serving.js';
import { mergeFlags } from './merge-flags.js';
import { checkServerFiles } from './server-files.js';
import { checkDebugAddress, startDebugListener } from '../debug/listener.js';

/** A running server, for the CLI's signal handling (and tests). */
export interface RunningServer {
  readonly port: number;
  /** The debug page's base URL (`http://127.0.0.1:6060`), when it listens. */
  readonly debugUrl?: string;
  /**
   * Fails `/readyz`, waits `shutdownDelaySeconds`, stops accepting, drains in-flight requests
   * (bounded by `shutdownTimeoutSeconds`), then closes backends, security and informers.
   */
  shutdown(): Promise<void>;
  /** Re-reads the config file and applies what changed (SIGHUP; see `config/reload.ts`). Never throws. */
  reload(): Promise<ReloadOutcome>;
}

export { mergeFlags } from './merge-flags.js';

/** Chooses the cluster view: informers over kube-apiserver, or the standalone lookup; logs which and why. */
function clusterView(config: ServerConfig, logger: PinoLogger, source: string): { kube: KubeLookup & { close?(): Promise<void> }; clients?: KubeClients } {
  const s = config.server;
  const choice = s.standalone
    ? { clients: undefined, source: undefined, files: [], reason: '--standalone' }
    : chooseCluster({ kubeconfig: s.kubeconfig, authenticationKubeconfig: s.authenticationKubeconfig, authorizationKubeconfig: s.authorizationKubeconfig });
  // The `standalone:` section is checked in either mode (after the kubeconfigs, as validate-config does).
  const standalone = new StandaloneKubeLookup(config.standalone.objects, config.standalone.resources, { source });
  if (!choice.clients) {
    logger.info({ mode: 'standalone', objects: config.standalone.objects.length, resources: config.standalone.resources.length }, `standalone mode: ${choice.reason}`);
    return { kube: standalone };
  }
  logger.info(
    {
      mode: 'cluster',
      kubeconfigSource: choice.source,
      files: choice.files,
      authenticationKubeconfig: s.authenticationKubeconfig ?? '(main cluster)',
      authorizationKubeconfig: s.authorizationKubeconfig ?? '(main cluster)',
    },
    `cluster mode: kube-apiserver from ${choice.reason}`,
  );
  return { kube: new InformerKubeLookup(choice.clients.main, { logger }), clients: choice.clients };
}

/**
 * startServer composes the server by plain composition: config (+ flags) → the files it names
 * ({@link checkServerFiles}) → cluster view (its Kubernetes clients) → security (authenticator and
 * authorizer, as koa middleware) → {@link buildContainer} (backends, registry, koa app) → backends
 * started → TLS server listening. It owns what it builds and closes it in reverse order.
 * @throws {ConfigError} for a bad configuration (the CLI exits 2), anything else for start-up failures.
 */
export async function startServer(configFile: string | undefined, flags: Partial<ServerOptions>): Promise<RunningServer> {
  const config = mergeFlags(await loadConfigFile(configFile), flags);
  // Every file the config and flags name, read up front: a bad one is a config error naming the
  // field (exactly as validate-config reports it), not a failure half-way through start-up.
  checkServerFiles(config, configFile ?? 'config');
  checkDebugAddress(config.server.debugAddress);
  const s = config.server;
  const logger = createLogger(s.logLevel);
  const { kube, clients } = clusterView(config, logger, configFile ?? 'config');
  const security = await createSecurity(
    {
      clientCAFile: s.clientCaFile,
      requestheaderClientCAFile: s.requestheaderClientCaFile,
      requestheaderAllowedNames: s.requestheaderAllowedNames,
      requestheaderUsernameHeaders: s.requestheaderUsernameHeaders,
      requestheaderGroupHeaders: s.requestheaderGroupHeaders,
      requestheaderExtraHeadersPrefix: s.requestheaderExtraHeadersPrefix,
      authenticationTolerateLookupFailure: s.authenticationTolerateLookupFailure,
      authorizationAlwaysAllowPaths: s.authorizationAlwaysAllowPaths,
      logger,
    },
    clients,
  );
  const cleanup: Array<() => Promise<void> | void> = [() => security.close(), () => kube.close?.()];
  try {
    return await compose();
  } catch (e) {
    for (const fn of cleanup.reverse()) await Promise.resolve().then(fn).catch(() => undefined);
    throw e;
  }

  async function compose(): Promise<RunningServer> {
    const sc = await buildContainer({
      config,
      kube,
      logger,
      authentication: authenticationMiddleware(security.authenticator) as Middleware,
      authorization: authorizationMiddleware(security.authorizer) as Middleware,
      loader: new BackendLoader(configFile ? dirname(configFile) : process.cwd()),
      source: configFile ?? 'config',
      metrics: new ServerMetrics({ defaultMetrics: true }),
    });
    cleanup.push(() => sc.closeBackends(s.shutdownTimeoutSeconds * 1000));
    await sc.startBackends();
    // Hot reload of backends (the config file's directory is watched; SIGHUP calls reload()).
    // Replaced instances close once their requests are done: none outlives the request deadline.
    const reloads = startConfigReload({ file: configFile, flags, config, sc, logger, drainTimeoutMs: s.requestTimeoutSeconds * 1000 + 1000 });
    cleanup.push(() => reloads.close());
    const server = createSecureServer(
      {
        tlsCertFile: s.tlsCertFile,
        tlsPrivateKeyFile: s.tlsPrivateKeyFile,
        certDir: s.certDir,
        servingNames: s.tlsSanNames,
        shutdownGraceMs: s.shutdownTimeoutSeconds * 1000,
        idleTimeoutMs: s.idleConnectionTimeoutSeconds * 1000,
        firstRequestTimeoutMs: s.firstRequestTimeoutSeconds * 1000,
        maxConnections: s.maxConnections,
        maxUnauthenticatedConnections: s.maxUnauthenticatedConnections,
        http2Direct: sc.app.fastRequests,
        logger,
      },
      // Each request is pinned to the routing table it arrived on (a reload swaps it).
      sc.registry.pin(sc.app.callback()) as Parameters<typeof createSecureServer>[1],
    );
    const { port } = await server.listen(s.securePort, s.bindAddress);
    logger.info({ port, bindAddress: s.bindAddress, backends: config.backends.map((b) => b.name) }, 'serving');
    // In cluster mode the debug page reads the HPAs through the informers (KubeLookup's cache).
    const debug = await startDebugListener(sc, config, logger, clients ? { rest: clients.main, ...(kube instanceof InformerKubeLookup ? { hpas: kube } : {}) } : undefined);
    let stopping: Promise<void> | undefined;
    return {
      port,
      reload: () => reloads.reload('SIGHUP'),
      ...(debug ? { debugUrl: debug.url } : {}),
      shutdown() {
        stopping ??= (async () => {
          // kube-apiserver's order: /readyz fails, requests are still served for the shutdown
          // delay (load balancers notice), then the listener closes and in-flight requests drain.
          sc.health.markShuttingDown();
          if (s.shutdownDelaySeconds > 0) {
            logger.info({ delaySeconds: s.shutdownDelaySeconds }, 'shutting down: /readyz fails, still serving for the shutdown delay');
            await new Promise((resolve) => setTimeout(resolve, s.shutdownDelaySeconds * 1000));
          }
          logger.info({ timeoutSeconds: s.shutdownTimeoutSeconds }, 'shutting down: not accepting connections, draining in-flight requests');
          await server.close();
          await reloads.close();
          await debug?.close();
          await sc.closeBackends(s.shutdownTimeoutSeconds * 1000);
          await security.close();
          await kube.close?.();
          for (const rest of clients ? new Set([clients.main, clients.authentication, clients.authorization]) : []) rest.close();
          logger.info('stopped');
          logger.flush?.();
        })();
        return stopping;
      },
    };
  }
}
