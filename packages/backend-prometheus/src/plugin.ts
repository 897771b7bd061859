import { defineBackendPlugin } from '@custom-metrics/core';
import type { BackendContext, BackendInstance } from '@custom-metrics/core';
import { HttpPrometheusClient, type PrometheusClient } from './client.js';
import { resolveConfig, type PrometheusBackendConfig } from './config.js';
import { configSchema } from './config-schema.js';
import { PrometheusCustomProvider } from './custom-provider.js';
import { PrometheusExternalProvider } from './external-provider.js';
import { PrometheusBackend, type PrometheusBackendOptions } from './provider.js';
import { PrometheusResourceProvider } from './resource-provider.js';

/** Test and embedding hooks for {@link createPrometheusBackend}; production uses the defaults. */
export interface PrometheusBackendDeps extends PrometheusBackendOptions {
  /** A client to use instead of the HTTP client (e.g. `FakePrometheusClient` from `./testing`). */
  client?: PrometheusClient;
}

/**
 * createPrometheusBackend validates `config` (throws `ConfigError` naming the bad field) and
 * builds the backend instance: custom provider (`rules`), external provider (`externalRules`),
 * resource provider (`resourceRules`, when set), with discovery started by `start()`.
 */
export function createPrometheusBackend(ctx: BackendContext, config: unknown, deps: PrometheusBackendDeps = {}): BackendInstance {
  const resolved = resolveConfig(config);
  const client =
    deps.client ??
    new HttpPrometheusClient({
      url: resolved.url,
      method: resolved.method,
      timeoutMs: resolved.timeoutMs,
      maxResponseBytes: resolved.maxResponseBytes,
      seriesMaxResponseBytes: resolved.discoveryMaxResponseBytes,
      headers: resolved.headers,
      auth: resolved.auth,
      tls: resolved.tls,
      logger: ctx.logger,
      observe: (op, seconds, outcome, query) => ctx.metrics.observeCall(op, seconds, outcome, query),
    });
  let backend: PrometheusBackend;
  try {
    backend = new PrometheusBackend(ctx, resolved, client, deps);
  } catch (e) {
    client.close();
    throw e;
  }
  return {
    custom: new PrometheusCustomProvider(backend),
    external: new PrometheusExternalProvider(backend),
    ...(resolved.resourceRules ? { resource: new PrometheusResourceProvider(backend, resolved.resourceRules) } : {}),
    start: () => backend.start(),
    close: () => backend.close(),
    health: () => backend.health(),
    pending: () => backend.pending(),
  };
}

/** The `prometheus` backend plugin (Prometheus, Thanos, Mimir, VictoriaMetrics). */
export const prometheusBackend = defineBackendPlugin<PrometheusBackendConfig>({
  name: 'prometheus',
  configSchema,
  // A metric newer than the last relist is found by `discovery.onDemand` (bounded; see README).
  lookupOnDemand: true,
  create: (ctx, config) => createPrometheusBackend(ctx, config),
});
