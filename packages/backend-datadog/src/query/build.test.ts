import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMetricsError, parseSelector } from '@custom-metrics/core';
import { buildQuery, isValidMetricName, selectorTerms } from './build.js';
import type { QuerySpec } from './build.js';
import { clusterAgentMetric, clusterAgentSpec } from './cluster-agent.js';

const metric = (m: string, extra: Partial<QuerySpec> = {}): QuerySpec => ({
  shape: { kind: 'metric', metric: m, aggregator: 'avg' },
  staticTerms: [],
  requestTerms: [],
  groupBy: [],
  ...extra,
});

describe('buildQuery', () => {
  const table: Array<[string, QuerySpec, string]> = [
    ['no filters', metric('nginx.net.request_per_s'), 'avg:nginx.net.request_per_s{*}'],
    ['static and request terms, sorted request terms', metric('m', { staticTerms: ['env:prod'], requestTerms: ['b:2', 'a:1'] }), 'avg:m{env:prod,a:1,b:2}'],
    ['an OR group switches to AND syntax', metric('m', { requestTerms: ['(e:a OR e:b)', 'x:1'] }), 'avg:m{(e:a OR e:b) AND x:1}'],
    ['a static boolean term is parenthesised', metric('m', { staticTerms: ['env:a OR env:b'], requestTerms: ['x:1'] }), 'avg:m{(env:a OR env:b) AND x:1}'],
    ['group by', metric('m', { groupBy: ['pod_name'] }), 'avg:m{*} by {pod_name}'],
    [
      'rollup with method',
      { ...metric('m'), shape: { kind: 'metric', metric: 'm', aggregator: 'sum', rollup: { method: 'max', seconds: 60 } } },
      'sum:m{*}.rollup(max, 60)',
    ],
    ['rollup without method', { ...metric('m'), shape: { kind: 'metric', metric: 'm', aggregator: 'max', rollup: { seconds: 30 } } }, 'max:m{*}.rollup(30)'],
    [
      'template',
      { ...metric('m'), shape: { kind: 'template', template: 'sum:trace.hits{<<tags>>} by {<<by>>}.as_rate()' }, requestTerms: ['a:1'], groupBy: ['pod_name'] },
      'sum:trace.hits{a:1} by {pod_name}.as_rate()',
    ],
  ];
  it.each(table)('%s', (_n, spec, want) => {
    expect(buildQuery(spec)).toBe(want);
  });

  it('turns a parsed selector into terms', () => {
    const sel = parseSelector('app=web,env in (prod,canary),!legacy,tier!=db');
    expect(buildQuery(metric('m', { requestTerms: selectorTerms(sel.requirements) }))).toBe(
      'avg:m{!legacy:* AND !tier:db AND (env:canary OR env:prod) AND app:web}',
    );
  });
});

describe('metric names', () => {
  it.each(['system.cpu.user', 'a', 'A_b.c9'])('accepts %s', (n) => expect(isValidMetricName(n)).toBe(true));
  it.each(['', '9a', 'a-b', 'a{b}', 'a b', 'x'.repeat(201), 'm{*},avg:other'])('rejects %j', (n) => expect(isValidMetricName(n)).toBe(false));
});

describe('Cluster Agent convention', () => {
  const conv = { aggregator: 'avg' as const, rollupSeconds: 30 };
  it('builds avg:<metric>{sorted tags}.rollup(30) from matchLabels', () => {
    const sel = parseSelector('kube_container_name=nginx,env=prod');
    expect(buildQuery(clusterAgentSpec('nginx.net.request_per_s', sel.requirements, conv))).toBe(
      'avg:nginx.net.request_per_s{env:prod,kube_container_name:nginx}.rollup(30)',
    );
  });
  it('uses {*} without labels', () => {
    expect(buildQuery(clusterAgentSpec('nginx.net.request_per_s', [], conv))).toBe('avg:nginx.net.request_per_s{*}.rollup(30)');
  });
  it('maps only names that can be Datadog metrics', () => {
    expect(clusterAgentMetric('nginx.net.request_per_s')).toBe('nginx.net.request_per_s');
    expect(clusterAgentMetric('x{*}')).toBeUndefined();
    expect(clusterAgentMetric('queue-depth')).toBeUndefined();
  });
});

describe('hostile values cannot change the query (property)', () => {
  it('the query is the fixed prefix + one term per label, or the request is rejected with 400', () => {
    const labelValue = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('app', 'env', 'team'), labelValue, { maxKeys: 3 }), (labels) => {
        const reqs = Object.entries(labels)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([key, v]) => ({ key, operator: '=' as const, values: [v] }));
        let q: string;
        try {
          q = buildQuery(clusterAgentSpec('my.metric', reqs, { aggregator: 'avg', rollupSeconds: 30 }));
        } catch (e) {
          return isMetricsError(e) && (e as { code: number }).code === 400;
        }
        const m = /^avg:my\.metric\{([^{}]*)\}\.rollup\(30\)$/u.exec(q);
        if (!m) return false;
        const terms = m[1] === '*' ? [] : m[1].split(',');
        const want = Object.entries(labels).map(([k, v]) => `${k}:${v}`).sort();
        return JSON.stringify(terms) === JSON.stringify(want);
      }),
      { numRuns: 2000 },
    );
  });
});
