import type { DependencyContainer } from 'tsyringe';
import { isConfigError as isBackendConfigError, type BackendContext, type KubeLookup } from '@custom-metrics/core';
import { ConfigError, isConfigError, type ConfigProblem } from '../config/config-error.js';
import type { BackendConfig } from '../config/types.js';
import { validateBackendConfig } from '../config/validate.js';
import type { HealthCheck } from '../observability/health.js';
import type { ServerMetrics } from '../observability/server-metrics.js';
import { BACKEND_CONTEXT, BACKEND_INSTANCE_NAME, BACKEND_LOADER, KUBE_LOOKUP, LOGGER, SERVER_METRICS, SHUTDOWN_SIGNAL } from '../tokens.js';
import { checkBackendRoutes } from '../routes/backend-routes/routes.js';
import { createBackendContext } from './context.js';
import { BackendInstanceFactory } from './instance-factory.js';
import type { BackendLoader } from './loader.js';
import type { RegisteredBackend } from './registry.js';

type ChildLogger = Parameters<typeof createBackendContext>[0]['logger'];

/**
 * createBackendInstance builds `backends[index]` (`b`) in a child container of `c` (the root
 * container of {@link buildContainer}): plugin loaded, config validated against its schema, the
 * instance's name and BackendContext registered, `create` run. The instance is not started.
 * Used at start-up and by the config reloader for added or changed instances.
 * @throws {ConfigError} for an unloadable plugin, an invalid config, or a failing `create`.
 */
export async function createBackendInstance(c: DependencyContainer, b: BackendConfig, index: number, source: string): Promise<RegisteredBackend> {
  const loader = c.resolve<BackendLoader>(BACKEND_LOADER);
  let plugin;
  try {
    plugin = await loader.load(b.type, index);
  } catch (e) {
    // The loader does not know the file name: give its errors the same prefix as the others.
    if (isConfigError(e) && e.source === 'config' && source !== 'config') throw new ConfigError(e.problems, source);
    throw e;
  }
  const config = validateBackendConfig(plugin.configSchema, b.config, index, source);
  const child = c.createChildContainer();
  child.register(BACKEND_INSTANCE_NAME, { useValue: b.name });
  child.register(BACKEND_CONTEXT, {
    useFactory: (d) =>
      createBackendContext({
        instanceName: d.resolve<string>(BACKEND_INSTANCE_NAME),
        logger: d.resolve<ChildLogger>(LOGGER),
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
    throw new ConfigError([backendConfigProblem(index, e)], source);
  }
  try {
    checkBackendRoutes(instance.routes);
  } catch (e) {
    throw new ConfigError([{ path: `backends[${index}].type`, expected: `a plugin whose routes are valid; "${b.type}" contributes an invalid one: ${(e as Error).message}` }], source);
  }
  return { name: b.name, type: b.type, priority: b.priority, lookupOnDemand: b.lookupOnDemand ?? plugin.lookupOnDemand ?? false, instance };
}

/**
 * The informational health check of one instance (`backend:NAME` in `/readyz?verbose`): an
 * outage costs that backend's metrics (503), never readiness.
 */
export function backendHealthCheck(b: RegisteredBackend): HealthCheck {
  return {
    name: `backend:${b.name}`,
    check: async () => {
      const h = await b.instance.health?.();
      return h === undefined || h.healthy ? undefined : (h.message ?? 'unhealthy');
    },
  };
}

/** Closes `b`, bounded by `timeoutMs`; a failure is reported to `onError`, never thrown. */
export async function closeBackendInstance(b: RegisteredBackend, timeoutMs: number, onError: (e: unknown) => void): Promise<void> {
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
    onError(e);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The problem a backend's `create` reported about its config, worded like every other config
 * error: at `backends[i].config.<path>` for core's `ConfigError` (what every built-in backend
 * throws), else at `backends[i].config` with the error's message.
 */
function backendConfigProblem(i: number, e: unknown): ConfigProblem {
  const base = `backends[${i}].config`;
  if (isBackendConfigError(e)) return { path: e.path === '' ? base : `${base}.${e.path}`, expected: e.problem };
  return { path: base, expected: e instanceof Error ? e.message : String(e) };
}
