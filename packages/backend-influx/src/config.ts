// The backend's configuration: types, defaults and the checks the JSON schema cannot express
// (templates and their placeholders, group-resources, durations).
import { ConfigError, isClusterScoped, parseGroupResource, readDuration } from '@custom-metrics/core';
import type { GroupResource } from '@custom-metrics/core';
import { templatePlaceholders } from './query/template.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '@custom-metrics/core';

/** Which query language (and API) a backend instance uses. */
export type InfluxMode = 'flux' | 'influxql';

/** A rule exposing one custom metric (custom.metrics.k8s.io). */
export interface InfluxCustomRule {
  /** The described resource, `resource[.group]` as in the URL: `pods`, `deployments.apps`, `nodes`. */
  resource: string;
  /** The exposed metric name. */
  metric: string;
  /** The tag whose value is the object's name (e.g. `pod`). */
  objectTag: string;
  /** The tag holding the namespace; omit for cluster-scoped resources. Default `namespace` for namespaced ones. */
  namespaceTag?: string;
  /** Whether the resource is namespaced. Default: true except for `nodes`, `namespaces`, `persistentvolumes`. */
  namespaced?: boolean;
  /** The Flux or InfluxQL query template. */
  query: string;
  /** Lookback window for `{{window}}`; defaults to the instance `window`. */
  window?: string;
  /** Result column holding the value. Default `_value` (Flux) or the first non-`time` column (InfluxQL). */
  valueColumn?: string;
}

/** A rule exposing one external metric (external.metrics.k8s.io). */
export interface InfluxExternalRule {
  /** The exposed metric name (matched case-insensitively). */
  metric: string;
  /**
   * Namespaced by default (true): `{{namespaceFilter}}` restricts series to the HPA's namespace and
   * any result row whose namespace tag names another namespace is dropped. `false` opts out (every
   * namespace reads every series). Set explicitly to true, the query must use
   * `{{namespaceFilter}}` or `{{namespace}}`.
   */
  namespaced?: boolean;
  /** The tag holding the namespace. Default `namespace`. */
  namespaceTag?: string;
  query: string;
  window?: string;
  valueColumn?: string;
}

/** The config of one `influx` backend instance (`backends[].config`). */
export interface InfluxBackendConfig {
  mode: InfluxMode;
  /** Base URL, e.g. `http://influxdb:8086`. */
  url: string;
  /** Flux: API token. InfluxQL: sent as `Authorization: Token …` (2.x / 3.x v1 compatibility API). */
  token?: string;
  /** A file holding the token (e.g. a mounted Secret), re-read when it changes. Instead of `token`. */
  tokenFile?: string;
  /** Flux only: organisation name or ID. */
  org?: string;
  /** Flux only: bucket for `{{bucket}}`. */
  bucket?: string;
  /** InfluxQL only: database (`db`). */
  database?: string;
  /** InfluxQL only: retention policy (`rp`). */
  retentionPolicy?: string;
  /** InfluxQL only: 1.x credentials. */
  username?: string;
  password?: string;
  /** InfluxQL only: a file holding the password, re-read when it changes. Instead of `password`. */
  passwordFile?: string;
  /** InfluxQL only: how username/password are sent: HTTP basic auth (default) or `u`/`p` parameters. */
  authMethod?: 'basic' | 'query';
  /** InfluxQL only: HTTP method for `/query`. Default `POST` (no URL length limit). */
  httpMethod?: 'GET' | 'POST';
  /** Deadline of each backend call, a Go-style duration (`10s`, `1500ms`). Default `10s`, at most `10m`. */
  timeout?: string;
  /** @deprecated Use `timeout` (`timeoutMs: 5000` is `timeout: 5s`). Still accepted. */
  timeoutMs?: number;
  /** Largest answer read from InfluxDB, in bytes. Default 32 MiB; past it a request is a 503. */
  maxResponseBytes?: number;
  /** Default `{{window}}`. Default `5m`. */
  window?: string;
  /** How long a result is reused, a Go-style duration. Default `5s`. */
  cacheTtl?: string;
  /** @deprecated Use `cacheTtl`. Still accepted. */
  cacheTtlMs?: number;
  /** How long past its TTL a result may answer when InfluxDB fails, a Go-style duration. Default `0`. */
  cacheStale?: string;
  /** @deprecated Use `cacheStale`. Still accepted. */
  cacheStaleMs?: number;
  custom?: InfluxCustomRule[];
  external?: InfluxExternalRule[];
}

/** A custom rule with defaults applied. */
export interface ResolvedCustomRule {
  groupResource: GroupResource;
  metric: string;
  namespaced: boolean;
  objectTag: string;
  namespaceTag?: string;
  query: string;
  window: string;
  valueColumn?: string;
}

/** An external rule with defaults applied. */
export interface ResolvedExternalRule {
  metric: string;
  namespaced: boolean;
  namespaceTag: string;
  query: string;
  window: string;
  valueColumn?: string;
}

/** The config with defaults applied and cross-field checks done. */
export interface ResolvedInfluxConfig {
  mode: InfluxMode;
  url: string;
  token?: string;
  tokenFile?: string;
  org?: string;
  bucket?: string;
  database?: string;
  retentionPolicy?: string;
  username?: string;
  password?: string;
  passwordFile?: string;
  authMethod: 'basic' | 'query';
  httpMethod: 'GET' | 'POST';
  timeoutMs: number;
  maxResponseBytes: number;
  cacheTtlMs: number;
  cacheStaleMs: number;
  custom: ResolvedCustomRule[];
  external: ResolvedExternalRule[];
}

const DURATION = /^[1-9][0-9]{0,8}(ms|s|m|h|d|w)$/;

/**
 * Applies defaults and checks what the schema cannot: URL, durations, mode-specific fields,
 * templates (known placeholders only), duplicate rules. Deprecated fields (`timeoutMs`, `cacheTtlMs`,
 * `cacheStaleMs`) still work and are reported through `warn`.
 * @throws {ConfigError} (core) naming the bad field, e.g. `custom[2].query`.
 */
export function resolveConfig(config: InfluxBackendConfig, warn?: (message: string) => void): ResolvedInfluxConfig {
  const fail = (path: string, msg: string): never => {
    throw new ConfigError(path, msg);
  };
  if (config.mode !== 'flux' && config.mode !== 'influxql') fail('mode', 'must be "flux" or "influxql"');
  let url: URL | undefined;
  try {
    url = new URL(config.url);
  } catch {
    fail('url', `not a valid URL: ${JSON.stringify(config.url)}`);
  }
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:') fail('url', 'must be http or https');
  if (config.token !== undefined && config.tokenFile !== undefined) fail('tokenFile', 'use either token or tokenFile, not both');
  if (config.password !== undefined && config.passwordFile !== undefined) fail('passwordFile', 'use either password or passwordFile, not both');
  const hasToken = config.token !== undefined || config.tokenFile !== undefined;
  const hasPassword = config.password !== undefined || config.passwordFile !== undefined;
  if (config.mode === 'flux') {
    if (!config.org) fail('org', 'required in flux mode');
    if (!config.token && !config.tokenFile) fail('token', 'required in flux mode (or tokenFile)');
    for (const f of ['database', 'retentionPolicy', 'username', 'password', 'passwordFile', 'authMethod', 'httpMethod'] as const) {
      if (config[f] !== undefined) fail(f, 'only valid in influxql mode');
    }
  } else {
    if (!config.database) fail('database', 'required in influxql mode');
    for (const f of ['org', 'bucket'] as const) if (config[f] !== undefined) fail(f, 'only valid in flux mode');
    if (hasToken && (config.username !== undefined || hasPassword)) {
      fail('token', 'use either token or username/password, not both');
    }
    if ((config.username === undefined) !== !hasPassword) fail('username', 'username and password (or passwordFile) go together');
  }
  const window = config.window ?? '5m';
  if (!DURATION.test(window)) fail('window', `must be a duration like 30s, 5m, 1h, got ${JSON.stringify(window)}`);
  const section = config as unknown as Record<string, unknown>;
  const timeoutMs = readDuration(section, 'timeout', { aliases: [{ field: 'timeoutMs', unit: 'ms' }], warn, minMs: 1, maxMs: 600_000 }) ?? 10_000;

  const custom: ResolvedCustomRule[] = [];
  const seen = new Set<string>();
  (config.custom ?? []).forEach((r, i) => {
    const at = `custom[${i}]`;
    const groupResource = parseGroupResource(r.resource ?? '');
    if (!/^[a-z0-9][a-z0-9-]*$/.test(groupResource.resource)) fail(`${at}.resource`, `not a resource[.group]: ${JSON.stringify(r.resource)}`);
    if (!r.metric) fail(`${at}.metric`, 'required');
    if (!r.objectTag) fail(`${at}.objectTag`, 'required');
    const namespaced = r.namespaced ?? !isClusterScoped(groupResource);
    const key = `${groupResource.resource}.${groupResource.group}/${r.metric}`;
    if (seen.has(key)) fail(`${at}`, `duplicate rule for ${r.metric} on ${r.resource}`);
    seen.add(key);
    const w = r.window ?? window;
    if (!DURATION.test(w)) fail(`${at}.window`, `must be a duration like 30s, 5m, 1h, got ${JSON.stringify(w)}`);
    checkTemplate(`${at}.query`, r.query, 'custom', config.mode, namespaced, fail);
    custom.push({
      groupResource,
      metric: r.metric,
      namespaced,
      objectTag: r.objectTag,
      ...(r.namespaceTag !== undefined || namespaced ? { namespaceTag: r.namespaceTag ?? 'namespace' } : {}),
      query: r.query,
      window: w,
      ...(r.valueColumn !== undefined ? { valueColumn: r.valueColumn } : {}),
    });
  });
  const external: ResolvedExternalRule[] = [];
  const seenExt = new Set<string>();
  (config.external ?? []).forEach((r, i) => {
    const at = `external[${i}]`;
    if (!r.metric) fail(`${at}.metric`, 'required');
    const lower = r.metric.toLowerCase();
    if (seenExt.has(lower)) fail(at, `duplicate rule for ${r.metric} (names are case-insensitive)`);
    seenExt.add(lower);
    const w = r.window ?? window;
    if (!DURATION.test(w)) fail(`${at}.window`, `must be a duration like 30s, 5m, 1h, got ${JSON.stringify(w)}`);
    checkTemplate(`${at}.query`, r.query, 'external', config.mode, r.namespaced === true, fail);
    external.push({
      metric: r.metric,
      namespaced: r.namespaced ?? true,
      namespaceTag: r.namespaceTag ?? 'namespace',
      query: r.query,
      window: w,
      ...(r.valueColumn !== undefined ? { valueColumn: r.valueColumn } : {}),
    });
  });

  const opt = <K extends keyof InfluxBackendConfig>(k: K) => (config[k] !== undefined ? { [k]: config[k] } : {});
  return {
    mode: config.mode,
    url: config.url.replace(/\/+$/, ''),
    ...opt('token'),
    ...opt('tokenFile'),
    ...opt('org'),
    ...opt('bucket'),
    ...opt('database'),
    ...opt('retentionPolicy'),
    ...opt('username'),
    ...opt('password'),
    ...opt('passwordFile'),
    authMethod: config.authMethod ?? 'basic',
    httpMethod: config.httpMethod ?? 'POST',
    timeoutMs,
    maxResponseBytes: config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    cacheTtlMs: readDuration(section, 'cacheTtl', { aliases: [{ field: 'cacheTtlMs', unit: 'ms' }], warn }) ?? 5_000,
    cacheStaleMs: readDuration(section, 'cacheStale', { aliases: [{ field: 'cacheStaleMs', unit: 'ms' }], warn }) ?? 0,
    custom,
    external,
  };
}

function checkTemplate(
  path: string,
  query: string,
  kind: 'custom' | 'external',
  mode: InfluxMode,
  namespaced: boolean,
  fail: (p: string, m: string) => never,
): void {
  if (typeof query !== 'string' || query.trim() === '') fail(path, 'required');
  let used: string[] = [];
  try {
    used = templatePlaceholders(query, kind, mode);
  } catch (e) {
    fail(path, (e as Error).message);
  }
  if (kind === 'custom' && !used.includes('objectFilter') && !used.includes('names')) {
    fail(path, 'a custom-metric query must restrict the object tag with {{objectFilter}} or {{names}}');
  }
  if (namespaced && !used.includes('namespaceFilter') && !used.includes('namespace')) {
    fail(path, 'a namespaced metric\'s query must restrict the namespace with {{namespaceFilter}} or {{namespace}}');
  }
}
