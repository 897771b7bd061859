// The plugin value and its factory: validate the config, build the client, wire the providers.
import { defineBackendPlugin } from '@custom-metrics/core';
import type { BackendContext, BackendInstance } from '@custom-metrics/core';
import { HttpTemplateClient, type TemplateClient } from './client.js';
import { resolveConfig, type TemplateBackendConfig } from './config.js';
import { configSchema } from './config-schema.js';
import { TemplateCustomProvider, TemplateExternalProvider } from './providers.js';

/** Test and embedding hooks for {@link createTemplateBackend}; production uses the defaults. */
export interface TemplateBackendDeps {
  /** Replaces the HTTP client (e.g. `FakeTemplateClient` from `./testing`). */
  readonly client?: TemplateClient;
  /** fetch used by the HTTP client (default: the global fetch). */
  readonly fetch?: typeof fetch;
}

/**
 * createTemplateBackend builds one backend instance: a custom provider when `custom` rules are
 * given, an external provider when `external` rules are.
 * @throws {ConfigError} (from core) naming the field, before any I/O.
 */
export function createTemplateBackend(ctx: BackendContext, config: TemplateBackendConfig, deps: TemplateBackendDeps = {}): BackendInstance {
  const resolved = resolveConfig(config);
  const client: TemplateClient =
    deps.client ??
    new HttpTemplateClient({ url: resolved.url, timeoutMs: resolved.timeoutMs, maxResponseBytes: resolved.maxResponseBytes, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  return {
    ...(resolved.custom.length > 0 ? { custom: new TemplateCustomProvider(ctx, resolved, client) } : {}),
    ...(resolved.external.length > 0 ? { external: new TemplateExternalProvider(resolved, client) } : {}),
    close: async () => client.close?.(),
  };
}

/** The `template` backend plugin. */
export const templateBackend = defineBackendPlugin<TemplateBackendConfig>({
  name: 'template',
  configSchema,
  create: (ctx, config) => createTemplateBackend(ctx, config),
});
