import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../config/config-error.js';
import { BackendLoader, isPathType } from './loader.js';

const dir = { path: fileURLToPath(new URL('../../test/fixtures/plugins', import.meta.url)) };

async function loadError(loader: BackendLoader, type: string): Promise<string> {
  try {
    await loader.load(type, 3);
  } catch (e) {
    if (isConfigError(e)) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('BackendLoader', () => {
  it('loads the built-in memory backend', async () => {
    expect((await new BackendLoader().load('memory', 0)).name).toBe('memory');
  });

  it('loads an ES module by path relative to the config directory', async () => {
    const plugin = await new BackendLoader(dir.path).load('./good-plugin.mjs', 0);
    expect(plugin.name).toBe('file-plugin');
  });

  it('rejects a module whose default export is no BackendPlugin, naming the field', async () => {
    const msg = await loadError(new BackendLoader(dir.path), './not-a-plugin.mjs');
    expect(msg).toContain('backends[3].type');
    expect(msg).toContain('BackendPlugin');
  });

  it('reports an unknown npm package or a missing file as a config error', async () => {
    expect(await loadError(new BackendLoader(dir.path), 'no-such-backend-package-xyz')).toMatch(/backends\[3\]\.type: .*npm package "no-such-backend-package-xyz" could not be loaded/);
    expect(await loadError(new BackendLoader(dir.path), './missing.mjs')).toContain('backends[3].type');
  });

  it('maps built-in names to the workspace packages', async () => {
    const seen: string[] = [];
    const loader = new BackendLoader(dir.path, async (s) => {
      seen.push(s);
      return { default: { name: 'x', configSchema: {}, create: () => ({}) } };
    });
    for (const t of ['prometheus', 'datadog', 'influx', 'scrape', 'some-npm-plugin']) await loader.load(t, 0);
    expect(seen).toEqual(['@custom-metrics/backend-prometheus', '@custom-metrics/backend-datadog', '@custom-metrics/backend-influx', '@custom-metrics/backend-scrape', 'some-npm-plugin']);
    expect(isPathType('/abs/x.js')).toBe(true);
    expect(isPathType('@scope/pkg')).toBe(false);
  });

  it('names the package to install when a built-in backend package is missing', async () => {
    const missing = async (s: string): Promise<Record<string, unknown>> => {
      throw Object.assign(new Error(`Cannot find package '${s}' imported from /app/node_modules/@custom-metrics/server/dist/backends/loader.js`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    expect(await loadError(new BackendLoader(dir.path, missing), 'datadog')).toBe(
      'config: backends[3].type: "datadog" needs the package @custom-metrics/backend-datadog: npm install @custom-metrics/backend-datadog',
    );
  });

  it('reports a built-in backend whose own dependency is missing as a load failure, not as the package missing', async () => {
    const broken = async (): Promise<Record<string, unknown>> => {
      throw Object.assign(new Error(`Cannot find package '@datadog/datadog-api-client' imported from /app/node_modules/@custom-metrics/backend-datadog/dist/index.js`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const msg = await loadError(new BackendLoader(dir.path, broken), 'datadog');
    expect(msg).toContain('the built-in backend package @custom-metrics/backend-datadog could not be loaded');
    expect(msg).toContain('@datadog/datadog-api-client');
  });
});
