import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { scrapeConfigSchema } from './config-schema.js';

describe('scrapeConfigSchema', () => {
  const validate = new Ajv({ strict: true, allErrors: true }).compile(scrapeConfigSchema);
  it('accepts a full config (ajv strict mode, as the server compiles it)', () => {
    expect(
      validate({
        objects: 'targets',
        interval: '2s',
        timeout: 1.5,
        maxSeries: 1000,
        kubernetes: { refreshInterval: '30s', namespace: 'shop' },
        targets: [{ url: 'http://127.0.0.1:1/metrics', pod: 'a', namespace: 'demo', labels: { app: 'x' }, interval: '1m' }],
        rules: [
          { metric: 'm', series: 's', function: 'rate', window: '20s', match: 'code=500' },
          { metric: 'e', series: 's', function: 'last', kind: 'external', namespacedExternal: true },
        ],
      }),
    ).toBe(true);
  });
  it.each([
    ['an unknown function', { rules: [{ metric: 'm', series: 's', function: 'median' }] }],
    ['a bad duration', { interval: '5x', rules: [] }],
    ['an unknown field', { rules: [], extra: 1 }],
    ['a non-http target', { targets: [{ url: 'file:///etc/passwd' }], rules: [] }],
    ['missing rules', {}],
    ['an invalid series name', { rules: [{ metric: 'm', series: 'a-b', function: 'last' }] }],
  ])('rejects %s', (_what, cfg) => expect(validate(cfg)).toBe(false));
});
