import { isConfigError, type ConfigError } from '@custom-metrics/core';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type InfluxBackendConfig } from './config.js';
import { influxConfigSchema } from './config-schema.js';

const QL = 'SELECT last("value") FROM "m" WHERE {{objectFilter}} AND {{namespaceFilter}} AND {{labelMatchers}} GROUP BY {{objectTag}}';
const FLUX = 'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => {{objectFilter}} and {{namespaceFilter}} and {{labelMatchers}})';

const influxql: InfluxBackendConfig = {
  mode: 'influxql',
  url: 'http://influxdb:8086/',
  database: 'metrics',
  retentionPolicy: 'autogen',
  username: 'reader',
  password: 'secret',
  custom: [
    { resource: 'pods', metric: 'http_requests', objectTag: 'pod', query: QL },
    { resource: 'nodes', metric: 'load', objectTag: 'host', query: 'SELECT last(v) FROM load WHERE {{objectFilter}}' },
  ],
  external: [{ metric: 'Queue_Depth', namespaced: true, query: 'SELECT last(v) FROM q WHERE {{namespaceFilter}} AND {{labelMatchers}} GROUP BY *' }],
};
const flux: InfluxBackendConfig = {
  mode: 'flux',
  url: 'https://eu-central-1-1.aws.cloud2.influxdata.com',
  token: 't0ken',
  org: 'acme',
  bucket: 'k8s',
  window: '2m',
  custom: [{ resource: 'deployments.apps', metric: 'rps', objectTag: 'deployment', query: FLUX }],
};

const validate = new Ajv({ allErrors: true, strict: true }).compile(influxConfigSchema);

describe('influxConfigSchema', () => {
  it.each([
    ['influxql', influxql],
    ['flux', flux],
    ['influxql with token (2.x/3.x v1 API)', { mode: 'influxql', url: 'http://x:8086', database: 'db', token: 't' }],
    ['flux with tokenFile', { mode: 'flux', url: 'http://x:8086', org: 'o', tokenFile: '/var/run/secrets/influx/token' }],
    ['influxql with passwordFile', { mode: 'influxql', url: 'http://x:8086', database: 'db', username: 'u', passwordFile: '/p' }],
  ])('accepts the %s example', (_n, c) => {
    expect(validate(c), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown top-level field', { ...influxql, surprise: 1 }],
    ['an unknown rule field', { ...flux, custom: [{ ...flux.custom![0], extra: true }] }],
    ['flux without org', { mode: 'flux', url: 'http://x', token: 't' }],
    ['flux without token or tokenFile', { mode: 'flux', url: 'http://x', org: 'o' }],
    ['flux with passwordFile', { ...flux, passwordFile: '/p' }],
    ['flux with a database', { ...flux, database: 'd' }],
    ['influxql without database', { mode: 'influxql', url: 'http://x' }],
    ['influxql with an org', { ...influxql, org: 'o' }],
    ['a bad window', { ...flux, window: '5 minutes' }],
    ['a bad mode', { ...flux, mode: 'sql' }],
  ])('rejects %s', (_n, c) => {
    expect(validate(c)).toBe(false);
  });
});

describe('resolveConfig', () => {
  it('applies defaults', () => {
    const r = resolveConfig(influxql);
    expect(r.url).toBe('http://influxdb:8086');
    expect(r).toMatchObject({ authMethod: 'basic', httpMethod: 'POST', timeoutMs: 10_000, cacheTtlMs: 5000, cacheStaleMs: 0 });
    expect(r.custom[0]).toMatchObject({ groupResource: { group: '', resource: 'pods' }, namespaced: true, namespaceTag: 'namespace', window: '5m' });
    expect(r.custom[1]).toMatchObject({ groupResource: { group: '', resource: 'nodes' }, namespaced: false });
    expect(r.custom[1].namespaceTag).toBeUndefined();
    expect(r.external[0]).toMatchObject({ metric: 'Queue_Depth', namespaced: true, namespaceTag: 'namespace' });
    expect(resolveConfig(flux).custom[0]).toMatchObject({ groupResource: { group: 'apps', resource: 'deployments' }, window: '2m' });
  });

  it.each<[string, InfluxBackendConfig, RegExp]>([
    ['unknown placeholder', { ...flux, custom: [{ ...flux.custom![0], query: FLUX + ' {{nme}}' }] }, /custom\[0\]\.query: unknown placeholder \{\{nme\}\}/],
    ['no object filter', { ...flux, custom: [{ ...flux.custom![0], query: 'from(bucket: {{bucket}}) {{namespaceFilter}}' }] }, /custom\[0\]\.query: .*objectFilter/],
    ['no namespace filter', { ...flux, custom: [{ ...flux.custom![0], query: 'from(bucket: {{bucket}}) {{objectFilter}}' }] }, /custom\[0\]\.query: .*namespaceFilter/],
    ['bucket in influxql', { ...influxql, custom: [{ ...influxql.custom![0], query: QL + ' {{bucket}}' }] }, /only available in Flux/],
    ['duplicate rule', { ...influxql, custom: [influxql.custom![0], influxql.custom![0]] }, /custom\[1\]: duplicate/],
    ['duplicate external (case-insensitive)', { ...influxql, external: [influxql.external![0], { ...influxql.external![0], metric: 'queue_depth' }] }, /external\[1\]: duplicate/],
    ['token and password', { ...influxql, token: 't' }, /token: use either/],
    ['flux without token', { ...flux, token: undefined }, /token: required/],
    ['bad url', { ...flux, url: 'influx:8086' }, /url/],
    ['bad window', { ...flux, window: '1h30m' }, /window/],
  ])('rejects %s', (_n, c, msg) => {
    expect(() => resolveConfig(c)).toThrow(msg);
  });
});

describe('durations', () => {
  it('reads Go-style timeout, cacheTtl and cacheStale', () => {
    const c = resolveConfig({ ...flux, timeout: '1m30s', cacheTtl: '500ms', cacheStale: '2m' });
    expect([c.timeoutMs, c.cacheTtlMs, c.cacheStaleMs]).toEqual([90_000, 500, 120_000]);
    expect(validate({ ...flux, timeout: '1m30s', cacheTtl: '500ms', cacheStale: '2m' })).toBe(true);
    expect(validate({ ...flux, timeout: '90' })).toBe(false);
  });

  it('still accepts the deprecated *Ms fields, with a warning each', () => {
    const warnings: string[] = [];
    const c = resolveConfig({ ...flux, timeoutMs: 5000, cacheTtlMs: 100, cacheStaleMs: 0 }, (m) => warnings.push(m));
    expect([c.timeoutMs, c.cacheTtlMs, c.cacheStaleMs]).toEqual([5000, 100, 0]);
    expect(warnings).toEqual([
      'timeoutMs is deprecated; write timeout: 5000ms instead',
      'cacheTtlMs is deprecated; write cacheTtl: 100ms instead',
      'cacheStaleMs is deprecated; write cacheStale: 0ms instead',
    ]);
  });

  it('refuses a field and its deprecated alias together with a path-carrying ConfigError', () => {
    let err: unknown;
    try {
      resolveConfig({ ...flux, timeout: '5s', timeoutMs: 5000 });
    } catch (e) {
      err = e;
    }
    expect(isConfigError(err)).toBe(true);
    expect((err as ConfigError).path).toBe('timeoutMs');
  });
});
