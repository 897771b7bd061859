import { describe, expect, it } from 'vitest';
import { fakeBackendContext } from '@custom-metrics/core/testing';
import plugin, { influxBackend, configSchema } from './index.js';

describe('influx plugin', () => {
  it('is the default export and named influxBackend, with its schema', () => {
    expect(plugin).toBe(influxBackend);
    expect(plugin.name).toBe('influx');
    expect(plugin.configSchema).toBe(configSchema);
  });

  it('creates only the providers that have rules, and a health check', async () => {
    const ctx = fakeBackendContext();
    const inst = await plugin.create(ctx, {
      mode: 'flux',
      url: 'http://127.0.0.1:1',
      token: 't',
      org: 'o',
      bucket: 'b',
      external: [{ metric: 'm', query: 'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => {{labelMatchers}})' }],
    });
    expect(inst.custom).toBeUndefined();
    expect(inst.external?.listAllExternalMetrics()).toEqual([{ metric: 'm' }]);
    expect(await inst.health!()).toEqual({ healthy: true });
    await inst.close!();
  });

  it('refuses an invalid config with the path of the bad field', () => {
    expect(() => plugin.create(fakeBackendContext(), { mode: 'influxql', url: 'http://x' })).toThrow(/database: required/);
  });
});
