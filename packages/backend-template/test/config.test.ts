// resolveConfig: core's ConfigError naming the field, the Go-style `timeout`, defaults.
import { describe, expect, it } from 'vitest';
import { isConfigError } from '@custom-metrics/core';
import { resolveConfig, type TemplateBackendConfig } from '../src/index.js';

const base: TemplateBackendConfig = { url: 'http://127.0.0.1:9/', external: [{ metric: 'q' }] };
const problem = (c: TemplateBackendConfig) => {
  try {
    resolveConfig(c);
  } catch (e) {
    if (isConfigError(e)) return { path: e.path, message: e.message };
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('resolveConfig', () => {
  it('reads timeout as a Go-style duration, 5s by default', () => {
    expect(resolveConfig(base).timeoutMs).toBe(5000);
    expect(resolveConfig({ ...base, timeout: '1m30s' }).timeoutMs).toBe(90_000);
    expect(resolveConfig({ ...base, timeout: '250ms' }).timeoutMs).toBe(250);
  });

  it('throws ConfigErrors naming the field', () => {
    expect(problem({ ...base, timeout: '5' })).toMatchObject({ path: 'timeout', message: expect.stringMatching(/^timeout: "5" is not a duration/) });
    expect(problem({ ...base, timeout: '0' })).toMatchObject({ path: 'timeout', message: 'timeout: must be between 1ms and 10m, not 0' });
    expect(problem({ ...base, timeout: '11m' }).path).toBe('timeout');
    expect(problem({ ...base, url: 'ftp://x' })).toMatchObject({ path: 'url', message: 'url: must be http:// or https://, not ftp://' });
    expect(problem({ ...base, url: 'nope' }).path).toBe('url');
    expect(problem({ url: base.url })).toMatchObject({ path: 'custom' });
  });

  it("takes a rule's scope from core's isClusterScoped", () => {
    const r = resolveConfig({ url: base.url, custom: [{ metric: 'm', resource: 'storageclasses.storage.k8s.io' }, { metric: 'm', resource: 'nodes' }, { metric: 'm' }] });
    expect(r.custom.map((c) => [c.groupResource.resource, c.namespaced])).toEqual([
      ['storageclasses', false],
      ['nodes', false],
      ['pods', true],
    ]);
  });
});
