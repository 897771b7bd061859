// The `influx` backend plugin: validates the config, picks the Flux or InfluxQL client and builds
// the providers.
import { defineBackendPlugin } from '@custom-metrics/core';
import type { BackendContext, BackendInstance } from '@custom-metrics/core';
import { FluxClient } from './client/flux-client.js';
import { InfluxQLClient } from './client/influxql-client.js';
import type { InfluxQueryClient } from './client/types.js';
import { resolveConfig, type InfluxBackendConfig, type ResolvedInfluxConfig } from './config.js';
import { influxConfigSchema } from './config-schema.js';
import { InfluxCustomProvider, InfluxExternalProvider, InfluxQueryRunner } from './providers.js';
import { SecretFile } from './secret-file.js';

/** A secret given inline, or read from its `…File` (re-read when the file changes). */
function secret(value: string | undefined, file: string | undefined, what: string): string | (() => string) | undefined {
  if (file === undefined) return value;
  const f = new SecretFile(file, what);
  return () => f.read();
}

/**
 * Builds the client for a resolved config. `tokenFile` / `passwordFile` are read here (and then
 * re-read whenever they change).
 * @throws {Error} naming the field and path when a secret file cannot be read or is empty.
 */
export function createInfluxClient(config: ResolvedInfluxConfig): InfluxQueryClient {
  const token = secret(config.token, config.tokenFile, 'tokenFile');
  if (config.mode === 'flux') {
    return new FluxClient({ url: config.url, token: token ?? '', org: config.org ?? '', timeoutMs: config.timeoutMs, maxResponseBytes: config.maxResponseBytes });
  }
  const password = secret(config.password, config.passwordFile, 'passwordFile');
  return new InfluxQLClient({
    url: config.url,
    database: config.database ?? '',
    ...(config.retentionPolicy !== undefined ? { retentionPolicy: config.retentionPolicy } : {}),
    ...(config.username !== undefined ? { username: config.username, password: password ?? '' } : {}),
    ...(token !== undefined ? { token } : {}),
    authMethod: config.authMethod,
    httpMethod: config.httpMethod,
    timeoutMs: config.timeoutMs,
    maxResponseBytes: config.maxResponseBytes,
  });
}

/** Test and embedding hooks for {@link createInfluxBackend}; production uses the defaults. */
export interface InfluxBackendDeps {
  /** Replaces the HTTP client built from the config (e.g. `FakeInfluxClient` from `./testing`). */
  readonly client?: InfluxQueryClient;
}

/**
 * Creates one backend instance; the client is built from the config unless `deps.client` is
 * given. Throws core's `ConfigError` for an invalid config, naming the field; deprecated fields
 * are logged once as a warning.
 */
export function createInfluxBackend(ctx: BackendContext, config: InfluxBackendConfig, deps: InfluxBackendDeps = {}): BackendInstance {
  const resolved = resolveConfig(config, (message) => ctx.logger.warn({ backend: ctx.instanceName }, message));
  const runner = new InfluxQueryRunner(ctx, deps.client ?? createInfluxClient(resolved), resolved);
  return {
    ...(resolved.custom.length > 0 ? { custom: new InfluxCustomProvider(ctx, resolved, runner) } : {}),
    ...(resolved.external.length > 0 ? { external: new InfluxExternalProvider(resolved, runner) } : {}),
    health: () => runner.health(),
    close: async () => runner.clear(),
  };
}

/** The `influx` backend plugin (InfluxDB 1.x, 2.x, 3.x through Flux or InfluxQL). */
export const influxBackend = defineBackendPlugin<InfluxBackendConfig>({
  name: 'influx',
  configSchema: influxConfigSchema,
  create: (ctx, config) => createInfluxBackend(ctx, config),
});
