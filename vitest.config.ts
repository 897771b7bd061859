import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests run against the TypeScript sources: every workspace package resolves to its src/,
// so one copy of each module is loaded and no build is needed for unit tests.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@custom-metrics\/core\/testing$/, replacement: pkg('core/src/testing/index.ts') },
      { find: /^@custom-metrics\/core$/, replacement: pkg('core/src/index.ts') },
      { find: /^@custom-metrics\/(backend-[a-z]+)\/testing$/, replacement: pkg('$1/src/testing/index.ts') },
      { find: /^@custom-metrics\/(backend-[a-z]+|server)$/, replacement: pkg('$1/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
