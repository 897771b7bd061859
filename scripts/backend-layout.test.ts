// Every backend package follows one layout: a `./testing` entry point for its doubles, the factory
// `create<Name>Backend(ctx, config, deps?)` and `configSchema` from its index, the plugin as default
// export, and core's conformance kit in test/conformance.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// A new backend package joins this list once it follows the layout (generated ones do).
const backends = ['backend-datadog', 'backend-influx', 'backend-memory', 'backend-prometheus', 'backend-scrape', 'backend-template'];

describe('backend layout', () => {
  for (const dir of backends) {
    const name = dir.slice('backend-'.length);
    const pascal = name[0].toUpperCase() + name.slice(1);
    it(`${dir}: ./testing entry point, create${pascal}Backend, configSchema, conformance test`, async () => {
      const pkgDir = join(root, 'packages', dir);
      const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
      expect(manifest.exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', default: './dist/testing/index.js' });
      expect(existsSync(join(pkgDir, 'src/testing/index.ts'))).toBe(true);
      const conformance = readFileSync(join(pkgDir, 'test/conformance.test.ts'), 'utf8');
      expect(conformance).toMatch(/customProviderConformance|externalProviderConformance/);
      expect(conformance).toContain(`@custom-metrics/${dir}/testing`);
      const index = (await import(join(pkgDir, 'src/index.ts'))) as Record<string, unknown>;
      expect(typeof index[`create${pascal}Backend`]).toBe('function');
      expect(index.configSchema).toBe((index.default as { configSchema: unknown }).configSchema);
      expect(Object.keys(index).filter((k) => /^Fake|Double$/.test(k))).toEqual([]);
      expect(readFileSync(join(pkgDir, 'README.md'), 'utf8')).toMatch(/^## Testing$/m);
    });
  }
});
