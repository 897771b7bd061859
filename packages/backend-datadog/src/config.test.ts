import { describe, expect, it } from 'vitest';
import { DatadogConfigError, resolveConfig } from './config.js';
import type { DatadogBackendConfig } from './config.js';

describe('resolveConfig', () => {
  it('applies the documented defaults', () => {
    const r = resolveConfig({});
    expect(r).toMatchObject({
      site: 'datadoghq.com',
      apiKey: { env: 'DD_API_KEY' },
      appKey: { env: 'DD_APP_KEY' },
      refreshMs: 30_000,
      maxAgeMs: 120_000,
      activeMs: 600_000,
      batchSize: 35,
      timeoutMs: 10_000,
      retry: { maxAttempts: 4, initialDelayMs: 500, maxDelayMs: 30_000 },
      rejectedMaxBackoffMs: 600_000,
    });
    expect(r.convention).toBeUndefined();
  });

  it('resolves rules with defaults and the convention when enabled', () => {
    const r = resolveConfig({
      defaults: { aggregator: 'max', rollup: { seconds: 60 }, windowSeconds: 120 },
      external: [{ name: 'Depth', metric: 'q.depth' }],
      custom: [{ name: 'rps', resource: 'deployments.apps', objectTag: 'kube_deployment', metric: 'app.rps', namespaceTag: '' }],
      clusterAgentConvention: { enabled: true },
    });
    expect(r.external[0]).toMatchObject({ name: 'Depth', windowSeconds: 120, reportedWindowSeconds: 60, shape: { kind: 'metric', aggregator: 'max', rollup: { seconds: 60 } } });
    expect(r.custom[0]).toMatchObject({ groupResource: { group: 'apps', resource: 'deployments' }, namespaceTag: '' });
    expect(r.convention).toEqual({ aggregator: 'avg', rollupSeconds: 30, windowSeconds: 300, lastPointOffset: 1 });
  });

  it('resolves lastPointOffset (rule, else defaults, else 1) and noDataValue (rule only, unset by default)', () => {
    const r = resolveConfig({
      defaults: { lastPointOffset: 2 },
      external: [{ name: 'a', metric: 'm' }, { name: 'b', metric: 'm', lastPointOffset: 0, noDataValue: 0 }],
      custom: [{ name: 'c', resource: 'pods', objectTag: 'pod_name', metric: 'm', noDataValue: -1.5 }],
      clusterAgentConvention: { enabled: true },
    });
    expect(r.external.map((e) => [e.lastPointOffset, e.noDataValue])).toEqual([[2, undefined], [0, 0]]);
    expect(r.custom[0]).toMatchObject({ lastPointOffset: 2, noDataValue: -1.5 });
    expect(r.convention?.lastPointOffset).toBe(2);
    expect(resolveConfig({ external: [{ name: 'a', metric: 'm' }] }).external[0]).toMatchObject({ lastPointOffset: 1 });
    expect('noDataValue' in resolveConfig({ external: [{ name: 'a', metric: 'm' }] }).external[0]).toBe(false);
  });

  const bad: Array<[string, DatadogBackendConfig, string]> = [
    ['both metric and query', { external: [{ name: 'x', metric: 'm', query: 'avg:m{<<tags>>}' }] }, 'external[0]'],
    ['a template without <<tags>>', { external: [{ name: 'x', query: 'avg:m{*}' }] }, 'external[0].query'],
    ['a custom template without <<by>>', { custom: [{ name: 'x', resource: 'pods', objectTag: 'pod_name', query: 'avg:m{<<tags>>}' }] }, 'custom[0].query'],
    ['an invalid metric name', { external: [{ name: 'x', metric: 'm{*}' }] }, 'external[0].metric'],
    ['duplicate external names (case-insensitive)', { external: [{ name: 'x', metric: 'a' }, { name: 'X', metric: 'b' }] }, 'external[1].name'],
    ['an invalid object tag', { custom: [{ name: 'x', resource: 'pods', objectTag: 'pod name', metric: 'm' }] }, 'custom[0].objectTag'],
    ['an invalid group-by key', { external: [{ name: 'x', metric: 'm', groupBy: ['a,b'] }] }, 'external[0].groupBy[0]'],
  ];
  it.each(bad)('rejects %s, naming the field', (_n, config, path) => {
    let err: unknown;
    try {
      resolveConfig(config);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatadogConfigError);
    expect((err as DatadogConfigError).path).toBe(path);
  });
});

describe('durations', () => {
  it('reads Go-style refreshInterval, maxAge, active and requestTimeout', () => {
    const r = resolveConfig({ refreshInterval: '15s', maxAge: '1m30s', active: '1h', requestTimeout: '2500ms' });
    expect([r.refreshMs, r.maxAgeMs, r.activeMs, r.timeoutMs]).toEqual([15_000, 90_000, 3_600_000, 2_500]);
  });

  it('still accepts the deprecated *Seconds fields, with a warning each', () => {
    const warnings: string[] = [];
    const r = resolveConfig({ maxAgeSeconds: 120, requestTimeoutSeconds: 5 }, (m) => warnings.push(m));
    expect([r.maxAgeMs, r.timeoutMs]).toEqual([120_000, 5_000]);
    expect(warnings).toEqual(['maxAgeSeconds is deprecated; write maxAge: 120s instead', 'requestTimeoutSeconds is deprecated; write requestTimeout: 5s instead']);
  });

  it('reads rejectedQueryMaxBackoff and names it when malformed', () => {
    expect(resolveConfig({ rejectedQueryMaxBackoff: '2m' }).rejectedMaxBackoffMs).toBe(120_000);
    expect(() => resolveConfig({ rejectedQueryMaxBackoff: 'soon' })).toThrow('rejectedQueryMaxBackoff: "soon" is not a duration');
  });

  it('names the field of a malformed duration', () => {
    expect(() => resolveConfig({ maxAge: '2 minutes' })).toThrow(DatadogConfigError);
    expect(() => resolveConfig({ maxAge: '2 minutes' })).toThrow('maxAge: "2 minutes" is not a duration');
  });
});
