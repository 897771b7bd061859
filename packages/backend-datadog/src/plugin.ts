/**
 * The `datadog` backend plugin: external and custom metrics from Datadog's metrics query API.
 */
import { defineBackendPlugin } from '@custom-metrics/core';
import type { BackendContext, BackendInstance } from '@custom-metrics/core';
import { createTimeseriesClient } from './client/datadog-client.js';
import type { TimeseriesClient } from './client/datadog-client.js';
import { resolveConfig } from './config.js';
import type { DatadogBackendConfig } from './config.js';
import { configSchema } from './config-schema.js';
import { redactor, secretReader } from './credentials.js';
import { DatadogCustomProvider } from './providers/custom-provider.js';
import { DatadogExternalProvider } from './providers/external-provider.js';
import { QueryRefresher } from './refresh/refresher.js';

/** Test and embedding hooks for {@link createDatadogBackend}; production uses the defaults. */
export interface DatadogBackendDeps {
  /** fetch used by the Datadog client (default: global fetch). */
  readonly fetch?: typeof fetch;
  /** Replaces the whole Datadog client. */
  readonly client?: TimeseriesClient;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * createDatadogBackend builds one backend instance. Throws (before any I/O) when the config is
 * inconsistent or a key cannot be read; the message names the field or key source, never a key.
 * Keys given as `{file}` are re-read whenever the file changes.
 */
export function createDatadogBackend(ctx: BackendContext, config: DatadogBackendConfig, deps: DatadogBackendDeps = {}): BackendInstance {
  const resolved = resolveConfig(config, (message) => ctx.logger.warn({ backend: ctx.instanceName }, message));
  let client = deps.client;
  if (!client) {
    const apiKey = secretReader('apiKey', resolved.apiKey, deps.env);
    const appKey = secretReader('appKey', resolved.appKey, deps.env);
    client = createTimeseriesClient({
      site: resolved.site,
      ...(resolved.baseUrl !== undefined ? { baseUrl: resolved.baseUrl } : {}),
      apiKey,
      appKey,
      redact: (text) => redactor([apiKey(), appKey()])(text),
      maxResponseBytes: resolved.maxResponseBytes,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }
  const refresher = new QueryRefresher(
    {
      refreshMs: resolved.refreshMs,
      maxAgeMs: resolved.maxAgeMs,
      activeMs: resolved.activeMs,
      batchSize: resolved.batchSize,
      timeoutMs: resolved.timeoutMs,
      retry: resolved.retry,
    },
    { client, logger: ctx.logger, metrics: ctx.metrics, ...(deps.now ? { now: deps.now } : {}), ...(deps.random ? { random: deps.random } : {}) },
  );
  const onShutdown = () => void refresher.close();
  ctx.signal.addEventListener('abort', onShutdown, { once: true });
  ctx.logger.info(
    { site: resolved.baseUrl ?? resolved.site, external: resolved.external.length, custom: resolved.custom.length, clusterAgentConvention: !!resolved.convention },
    'datadog backend configured',
  );
  const external = new DatadogExternalProvider(resolved, refresher, ctx.kube, ctx.logger);
  return {
    external,
    ...(resolved.custom.length > 0 ? { custom: new DatadogCustomProvider(resolved, ctx.kube, refresher) } : {}),
    start: async () => {
      refresher.start();
      await external.refreshReferences();
    },
    close: async () => {
      ctx.signal.removeEventListener('abort', onShutdown);
      await refresher.close();
    },
    health: () => refresher.health(),
  };
}

/** The `datadog` backend plugin. */
export const datadogBackend = defineBackendPlugin<DatadogBackendConfig>({
  name: 'datadog',
  configSchema,
  create: (ctx, config) => createDatadogBackend(ctx, config),
});
