import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import { isConfigError as isBackendConfigError } from '@custom-metrics/core';
import type { BackendContext, KubeLookup, Logger } from '@custom-metrics/core';
import { createApp } from './app.js';
import { createBackendContext } from './backends/context.js';
import { BackendInstanceFactory } from './backends/instance-factory.js';
import { BackendLoader } from './backends/loader.js';
import { BackendRegistry, type RegisteredBackend } from './backends/registry.js';
import { ConfigError, isConfigError } from './config/config-error.js';
import type { ServerConfig } from './config/types.js';
import { validateBackendConfig } from './config/validate.js';
import { HealthChecks } from './observability/health.js';
import { ServerMetrics } from './observability/server-metrics.js';
import type { RouteDeps } from './routes/deps.js';
import {
  AUTHENTICATION_MIDDLEWARE,
  AUTHORIZATION_MIDDLEWARE,
  BACKEND_CONTEXT,
  BACKEND_INSTANCE_NAME,
  BACKEND_LOADER,
  BACKEND_REGISTRY,
  CLOCK,
  HEALTH_CHECKS,
  KOA_APP,
  KUBE_LOOKUP,
  LOGGER,
  SERVER_CONFIG,
  SERVER_METRICS,
  SHUTDOWN_SIGNAL,
} from './tokens.js';

/** A logger that can make children (pino's `child`); plain loggers are used as they are. */
export type RootLogger = Logger & { child?(bindings: Record<string, unknown>): Logger };

/** What {@link buildContainer} is given; everything from the outside world can be replaced by a double. */
export interface ContainerOptions {
  readonly config: ServerConfig;
  /** The cluster view (informers, the standalone lookup, or a FakeKubeLookup in tests). */
  readonly kube: KubeLookup;
  readonly logger: RootLogger;
  /** The authentication middleware (the real one from `auth/`, or a test double). */
  readonly authentication: Middleware;
  /** The authorization middleware (the real one from `auth/`, or a test double). */
  readonly authorization: Middleware;
  readonly metrics?: ServerMetrics;
  readonly loader?: BackendLoader;
  readonly now?: () => Date;
  /** Where the config came from (the file name), prefixed to config error messages (default `config`). */
  readonly source?: string;
  /** Extra registrations (e.g. AUTHENTICATOR, AUTHORIZER, KUBE_CLIENTS) made on the root container. */
  readonly extra?: ReadonlyArray<readonly [symbol, unknown]>;
}

/** The assembled server: the DI container and the pieces the CLI drives. */
export interface ServerContainer {
  readonly container: DependencyContainer;
  readonly registry: BackendRegistry;
  readonly health: HealthChecks;
  readonly metrics: ServerMetrics;
  readonly app: Koa;
  /** Starts every backend instance (in config order), then checks for conflicting metrics. */
  startBackends(): Promise<void>;
  /** Aborts the shutdown signal and closes every backend instance, each bounded by `timeoutMs`. */
  closeBackends(timeoutMs?: number): Promise<void>;
}

/**
 * buildContainer is the one place the server is wired: a root tsyringe container holding the
 * config, logger, self-metrics, clock, health checks, KubeLookup, security middleware and the
 * backend registry; one child container per backend instance (its name and BackendContext), from
 * which the instance is created. Backend configs are validated against their plugin's schema.
 * @throws {ConfigError} for an unloadable backend, an invalid backend config, or a failing `create`.
 */
export async function buildContainer(options: ContainerOptions): Promise<ServerContainer> {
  const c = rootContainer.createChildContainer();
  const metrics = options.metrics ?? new ServerMetrics();
  const health = new HealthChecks();
  const shutdown = new AbortController();
  const now = options.now ?? (() => new Date());
  c.register(SERVER_CONFIG, { useValue: options.config });
  c.register(LOGGER, { useValue: options.logger });
  c.register(SERVER_METRICS, { useValue: metrics });
  c.register(HEALTH_CHECKS, { useValue: health });
  c.register(CLOCK, { useValue: now });
  c.register(SHUTDOWN_SIGNAL, { useValue: shutdown.signal });
  c.register(KUBE_LOOKUP, { useValue: options.kube });
  c.register(BACKEND_LOADER, { useValue: options.loader ?? new BackendLoader() });
  c.register(AUTHENTICATION_MIDDLEWARE, { useValue: options.authentication });
  c.register(AUTHORIZATION_MIDDLEWARE, { useValue: options.authorization });
  for (const [token, value] of options.extra ?? []) c.register(token, { useValue: value });

  const loader = c.resolve<BackendLoader>(BACKEND_LOADER);
  const source = options.source ?? 'config';
  const backends: RegisteredBackend[] = [];
  for (const [i, b] of options.config.backends.entries()) {
    let plugin;
    try {
      plugin = await loader.load(b.type, i);
    } catch (e) {
      // The loader does not know the file name: give its errors the same prefix as the others.
      if (isConfigError(e) && e.source === 'config' && source !== 'config') throw new ConfigError(e.problems, source);
      throw e;
    }
    const config = validateBackendConfig(plugin.configSchema, b.config, i, source);
    const child = c.createChildContainer();
    child.register(BACKEND_INSTANCE_NAME, { useValue: b.name });
    child.register(BACKEND_CONTEXT, {
      useFactory: (d) =>
        createBackendContext({
          instanceName: d.resolve<string>(BACKEND_INSTANCE_NAME),
          logger: d.resolve<RootLogger>(LOGGER),
          metrics: d.resolve<ServerMetrics>(SERVER_METRICS),
          kube: d.resolve<KubeLookup>(KUBE_LOOKUP),
          signal: d.resolve<AbortSignal>(SHUTDOWN_SIGNAL),
        }) satisfies BackendContext,
    });
    let instance;
    try {
      instance = await child.resolve(BackendInstanceFactory).create(plugin, config);
    } catch (e) {
      if (isConfigError(e)) throw e;
      // A backend's path-carrying config error (core's ConfigError): the path is inside this config section.
      if (isBackendConfigError(e)) throw new ConfigError([{ path: e.path === '' ? `backends[${i}].config` : `backends[${i}].config.${e.path}`, expected: e.problem }], source);
      throw new ConfigError([{ path: `backends[${i}].config`, expected: `a config backend "${b.name}" (${plugin.name}) accepts: ${(e as Error).message}` }], source);
    }
    backends.push({ name: b.name, type: b.type, priority: b.priority, lookupOnDemand: b.lookupOnDemand, instance });
    // Informational only: a backend outage costs that backend's metrics (503), never readiness.
    health.addInformational({
      name: `backend:${b.name}`,
      check: async () => {
        const h = await instance.health?.();
        return h === undefined || h.healthy ? undefined : (h.message ?? 'unhealthy');
      },
    });
  }
  const registry = new BackendRegistry(
    backends,
    () => now().getTime(),
    (conflict) => options.logger.warn({ conflict }, 'conflicting metric: the first backend instance in config order keeps serving it'),
  );
  c.register(BACKEND_REGISTRY, { useValue: registry });
  metrics.setHealthSource(async () =>
    (await health.runInformational()).map((r) => ({ instance: r.name.slice('backend:'.length), healthy: r.ok })),
  );
  metrics.setDiscoveredSource(() =>
    backends.flatMap((b) => [
      { instance: b.name, api: 'custom' as const, count: safeCount(() => b.instance.custom?.listAllMetrics().length) },
      { instance: b.name, api: 'external' as const, count: safeCount(() => b.instance.external?.listAllExternalMetrics().length) },
    ]),
  );

  const deps: RouteDeps = { registry, kube: options.kube, logger: options.logger, metrics, health, now };
  const server = options.config.server;
  const app = createApp({
    deps,
    authenticate: c.resolve<Middleware>(AUTHENTICATION_MIDDLEWARE),
    authorize: c.resolve<Middleware>(AUTHORIZATION_MIDDLEWARE),
    requestTimeoutMs: server.requestTimeoutSeconds * 1000,
    maxRequestsInflight: server.maxRequestsInflight,
    retryAfterSeconds: server.retryAfterSeconds,
  });
  c.register(KOA_APP, { useValue: app });

  return {
    container: c,
    registry,
    health,
    metrics,
    app,
    async startBackends() {
      for (const b of backends) {
        try {
          await b.instance.start?.();
        } catch (e) {
          throw new Error(`backend "${b.name}" failed to start: ${(e as Error).message}`, { cause: e });
        }
      }
      registry.invalidate();
      registry.checkConflicts();
    },
    async closeBackends(timeoutMs = 10_000) {
      shutdown.abort(new Error('server shutting down'));
      await Promise.all(
        backends.map(async (b) => {
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              Promise.resolve().then(() => b.instance.close?.()),
              new Promise((resolve) => {
                timer = setTimeout(resolve, timeoutMs);
                timer.unref();
              }),
            ]);
          } catch (e) {
            options.logger.warn({ backend: b.name, err: (e as Error).message }, 'backend close failed');
          } finally {
            clearTimeout(timer);
          }
        }),
      );
    },
  };
}

function safeCount(fn: () => number | undefined): number {
  try {
    return fn() ?? 0;
  } catch {
    return 0;
  }
}
