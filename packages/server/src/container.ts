import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Middleware } from 'koa';
import type { KubeLookup, Logger } from '@custom-metrics/core';
import { createApp, type MetricsApp } from './app.js';
import { backendHealthCheck, closeBackendInstance, createBackendInstance } from './backends/create-instance.js';
import { BackendLoader } from './backends/loader.js';
import type { RegisteredBackend } from './backends/registry.js';
import { SwappableRegistry } from './backends/swap.js';
import type { ServerConfig } from './config/types.js';
import { HealthChecks } from './observability/health.js';
import { ServerMetrics } from './observability/server-metrics.js';
import type { RouteDeps } from './routes/deps.js';
import { BACKEND_LOADER, KUBE_LOOKUP, LOGGER, SERVER_METRICS, SHUTDOWN_SIGNAL } from './tokens.js';

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
}

/** The assembled server: the DI container and the pieces the CLI drives. */
export interface ServerContainer {
  /** The root container: LOGGER, SERVER_METRICS, KUBE_LOOKUP and SHUTDOWN_SIGNAL (what each backend instance's context is built from). */
  readonly container: DependencyContainer;
  /** The registry the routes use; {@link SwappableRegistry.swap} replaces its instances. */
  readonly registry: SwappableRegistry;
  readonly health: HealthChecks;
  readonly metrics: ServerMetrics;
  readonly app: MetricsApp;
  /** Starts every backend instance (in config order), then checks for conflicting metrics. */
  startBackends(): Promise<void>;
  /** Aborts the shutdown signal and closes every backend instance now serving, each bounded by `timeoutMs`. */
  closeBackends(timeoutMs?: number): Promise<void>;
}

/**
 * buildContainer wires the server from the parts {@link ContainerOptions} gives it (the CLI builds
 * those — cluster view, security middleware, logger — in `cli/serve.ts`). tsyringe is used where
 * it resolves something: a root container holding the logger, self-metrics, KubeLookup and the
 * shutdown signal, and one child container per backend instance (its name and BackendContext),
 * from which `BackendInstanceFactory` (`@inject(BACKEND_CONTEXT)`) creates the instance. The rest
 * (loader, registry, health, koa app) is plain composition. Backend configs are validated against
 * their plugin's schema.
 * @throws {ConfigError} for an unloadable backend, an invalid backend config, or a failing `create`.
 */
export async function buildContainer(options: ContainerOptions): Promise<ServerContainer> {
  const c = rootContainer.createChildContainer();
  const metrics = options.metrics ?? new ServerMetrics();
  const health = new HealthChecks();
  const shutdown = new AbortController();
  const now = options.now ?? (() => new Date());
  c.register(LOGGER, { useValue: options.logger });
  c.register(SERVER_METRICS, { useValue: metrics });
  c.register(SHUTDOWN_SIGNAL, { useValue: shutdown.signal });
  c.register(KUBE_LOOKUP, { useValue: options.kube });

  c.register(BACKEND_LOADER, { useValue: options.loader ?? new BackendLoader() });
  const source = options.source ?? 'config';
  const backends: RegisteredBackend[] = [];
  for (const [i, b] of options.config.backends.entries()) {
    const built = await createBackendInstance(c, b, i, source);
    backends.push(built);
    // Informational only: a backend outage costs that backend's metrics (503), never readiness.
    health.addInformational(backendHealthCheck(built));
  }
  // Swappable: the config reloader (config/reload.ts) replaces the instances without a restart.
  const registry = new SwappableRegistry(
    backends,
    () => now().getTime(),
    (conflict) => options.logger.warn({ conflict }, 'conflicting metric: the first backend instance in config order keeps serving it'),
  );
  metrics.setHealthSource(async () =>
    (await health.runInformational())
      .filter((r) => r.name.startsWith('backend:'))
      .map((r) => ({ instance: r.name.slice('backend:'.length), healthy: r.ok })),
  );
  metrics.setDiscoveredSource(() =>
    registry.backends.flatMap((b) => [
      { instance: b.name, api: 'custom' as const, count: safeCount(() => b.instance.custom?.listAllMetrics().length) },
      { instance: b.name, api: 'external' as const, count: safeCount(() => b.instance.external?.listAllExternalMetrics().length) },
    ]),
  );

  const deps: RouteDeps = { registry, kube: options.kube, logger: options.logger, metrics, health, now };
  const server = options.config.server;
  const app = createApp({
    deps,
    authenticate: options.authentication,
    authorize: options.authorization,
    requestTimeoutMs: server.requestTimeoutSeconds * 1000,
    maxRequestsInflight: server.maxRequestsInflight,
    retryAfterSeconds: server.retryAfterSeconds,
  });

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
        registry.backends.map((b) =>
          closeBackendInstance(b, timeoutMs, (e) => options.logger.warn({ backend: b.name, err: (e as Error).message }, 'backend close failed')),
        ),
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

