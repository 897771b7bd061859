import { describe, expect, it } from 'vitest';
import { parseDuration, resolveConfig, ScrapeConfigError } from './config.js';

describe('parseDuration', () => {
  it.each([
    ['5s', 5000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    [2.5, 2500],
  ])('%s → %d ms', (d, ms) => expect(parseDuration(d, 'x')).toBe(ms));
  it.each(['', '5', '5x', '-1s', '1s x', '0', 0])('rejects %j', (d) => expect(() => parseDuration(d, 'rules[0].window')).toThrow(/rules\[0\]\.window/));
});

describe('resolveConfig', () => {
  it('fills defaults', () => {
    const c = resolveConfig({
      targets: [{ url: 'http://127.0.0.1:9000/metrics', pod: 'web-1', namespace: 'demo', labels: { app: 'web' } }],
      rules: [
        { metric: 'rps', series: 'http_requests_total', function: 'rate' },
        { metric: 'depth', series: 'queue_depth', function: 'last', resource: 'deployments.apps' },
        { metric: 'load', series: 'node_load1', function: 'avg', resource: 'nodes', window: '30s' },
        { metric: 'Queue', series: 'queue_depth', function: 'max', kind: 'external' },
      ],
    });
    expect(c).toMatchObject({ intervalMs: 5000, timeoutMs: 3000, maxSeries: 100_000, maxConcurrentScrapes: 8, objects: 'kube' });
    expect(c.staticTargets[0]).toMatchObject({ labels: { app: 'web', namespace: 'demo', pod: 'web-1' }, intervalMs: 5000 });
    expect(c.staticPods).toEqual([{ namespace: 'demo', name: 'web-1', labels: { app: 'web' } }]);
    const d = resolveConfig({ targets: [{ url: 'http://127.0.0.1:1/m', pod: 'p' }, { url: 'http://127.0.0.1:2/m' }], rules: [] });
    expect(d.staticTargets.map((t) => t.labels)).toEqual([{ namespace: 'default', pod: 'p' }, {}]);
    expect(d.staticPods[0].namespace).toBe('default');
    expect(c.rules[0]).toMatchObject({ objectLabel: 'pod', namespaced: true, windowMs: 60_000, groupResource: { group: '', resource: 'pods' } });
    expect(c.rules[1]).toMatchObject({ objectLabel: 'deployment', namespaced: true, groupResource: { group: 'apps', resource: 'deployments' } });
    expect(c.rules[2]).toMatchObject({ objectLabel: 'node', namespaced: false, windowMs: 30_000 });
    expect(c.rules[3].kind).toBe('external');
  });

  it('names the bad field', () => {
    const bad = (cfg: object) => {
      try {
        resolveConfig(cfg as never);
      } catch (e) {
        expect(e).toBeInstanceOf(ScrapeConfigError);
        return (e as ScrapeConfigError).path;
      }
      throw new Error('expected an error');
    };
    expect(bad({ targets: [{ url: 'ftp://x' }], rules: [] })).toBe('targets[0].url');
    expect(bad({ rules: [{ metric: 'm', series: 's', function: 'rate', match: 'a in (' }] })).toBe('rules[0].match');
    expect(bad({ rules: [{ metric: 'm', series: 's', function: 'median' }] })).toBe('rules[0].function');
    expect(bad({ rules: [{ metric: 'm', series: 's', function: 'rate' }, { metric: 'm', series: 't', function: 'last' }] })).toBe('rules[1].metric');
  });
});

describe('deprecated numeric durations', () => {
  it('still accepts a number of seconds, with a warning naming the field', () => {
    const warnings: string[] = [];
    const c = resolveConfig({ interval: 10, rules: [{ metric: 'm', series: 's', function: 'last' }] } as never, (m) => warnings.push(m));
    expect(c.intervalMs).toBe(10_000);
    expect(warnings).toEqual(['interval: a number of seconds is deprecated; write "10s" instead']);
  });
});
