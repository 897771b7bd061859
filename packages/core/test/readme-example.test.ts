// The README's "Write your own provider" example is this directory's readme-example.ts, verbatim,
// and it passes the conformance kit.
import { readFileSync } from 'node:fs';
import { customProviderConformance } from '@custom-metrics/core/testing';
import { describe, expect, it } from 'vitest';
import { SamplesProvider } from './readme-example.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8');

/** The first ```ts block after the "Write your own provider" heading. */
function exampleBlock(markdown: string): string {
  const heading = markdown.indexOf('## Write your own provider');
  expect(heading).toBeGreaterThanOrEqual(0);
  const m = /```ts\n([\s\S]*?)```/.exec(markdown.slice(heading));
  expect(m).not.toBeNull();
  return m![1];
}

describe('README "Write your own provider"', () => {
  it('shows exactly test/readme-example.ts', () => {
    expect(exampleBlock(readme)).toBe(example);
  });

  describe('the example passes the conformance kit (pods)', () => {
    const kit = customProviderConformance(
      async ({ kube }) => {
        const provider = new SamplesProvider(kube);
        return {
          provider,
          seed: (data) => {
            provider.samples = data.custom.map((s) => ({
              metric: s.info.metric,
              namespace: s.object.namespace ?? '',
              pod: s.object.name,
              labels: { ...s.labels },
              value: s.value,
            }));
          },
        };
      },
      { resources: ['pods'] },
    );
    for (const c of kit) it(c.name, c.run);
  });
});
