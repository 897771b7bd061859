import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSelector, Selector } from '@custom-metrics/core';
import { isCoalescibleTemplate } from './coalesce.js';
import { MetricsQuery } from './metrics-query.js';
import { ResourceConverter } from './resource-converter.js';

describe('isCoalescibleTemplate', () => {
  it.each([
    // prometheus-adapter's defaults and common shapes
    'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
    'sum(<<.Series>>{<<.LabelMatchers>>,container!="POD"}) by (<<.GroupBy>>)',
    'sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[5m] offset 1m)) by (<<.GroupBy>>)',
    'avg by (<<.GroupBy>>) (avg_over_time(<<.Series>>{<<.LabelMatchers>>}[5m]))',
    'max(max_over_time(<<.Series>>{<<.LabelMatchers>>}[5m:30s])) by (<<.GroupBy>>)',
    'sum(rate(a_total{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>) / sum(rate(b_total{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)',
    'sum(rate(a{<<.LabelMatchers>>}[1m]) / rate(b{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)',
    'round(sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>), 0.1) * 100',
    '(sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>) - 1e+3) / 2',
    'histogram_quantile(0.9, sum(rate(<<.Series>>{<<.LabelMatchers>>}[5m])) by (le, <<.GroupBy>>))',
    'sum(<<.Series>>{<<.LabelMatchers>>} and <<.Series>>{<<.LabelMatchers>>,ready="true"}) by (<<.GroupBy>>)',
    'sum(rate(<<- .Series ->>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
  ])('qualifies: %s', (t) => {
    expect(isCoalescibleTemplate(t)).toBe(true);
  });

  it.each([
    ['no aggregation (which sample of a pod wins is up to Prometheus)', '<<.Series>>{<<.LabelMatchers>>}'],
    ['aggregation without by', 'sum(<<.Series>>{<<.LabelMatchers>>})'],
    ['by an extra label', 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>, container)'],
    ['le outside histogram_quantile', 'sum(<<.Series>>{<<.LabelMatchers>>}) by (le, <<.GroupBy>>)'],
    ['without', 'sum(<<.Series>>{<<.LabelMatchers>>}) without (instance)'],
    ['two by clauses', 'sum by (<<.GroupBy>>) (<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'],
    ['topk', 'topk(1, sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>))'],
    ['nested aggregation', 'sum(max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)) by (<<.GroupBy>>)'],
    ['or adds unselected series', 'sum(<<.Series>>{<<.LabelMatchers>>} or other{job="x"}) by (<<.GroupBy>>)'],
    ['a selector without the object matchers', 'sum(<<.Series>>{<<.LabelMatchers>>} * other{job="x"}) by (<<.GroupBy>>)'],
    ['a bare metric name', 'sum(<<.Series>>{<<.LabelMatchers>>} * other) by (<<.GroupBy>>)'],
    ['vector matching', 'sum(<<.Series>>{<<.LabelMatchers>>} * on(pod) group_left other{<<.LabelMatchers>>}) by (<<.GroupBy>>)'],
    ['vector matching at the top', 'sum(a{<<.LabelMatchers>>}) by (<<.GroupBy>>) / ignoring(x) sum(b{<<.LabelMatchers>>}) by (<<.GroupBy>>)'],
    ['label_replace', 'sum(label_replace(<<.Series>>{<<.LabelMatchers>>}, "pod", "$1", "x", "(.*)")) by (<<.GroupBy>>)'],
    ['a comparison at the top', 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>) > 1'],
    ['a raw selector at the top', 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>) * <<.Series>>{<<.LabelMatchers>>}'],
    ['LabelValuesByName', 'sum(<<.Series>>{<<.LabelMatchers>>,x="<<.LabelValuesByName.pod>>"}) by (<<.GroupBy>>)'],
    ['GroupBySlice', 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<join .GroupBySlice ",">>)'],
    ['a conditional', '<<if .GroupBy>>sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)<<end>>'],
    ['a dangling operator', 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>) +'],
    ['an unterminated string', 'sum(<<.Series>>{<<.LabelMatchers>>,a="x}) by (<<.GroupBy>>)'],
  ])('does not qualify: %s', (_, t) => {
    expect(isCoalescibleTemplate(t)).toBe(false);
  });

  it('decides the default rules of the prometheus-adapter chart', () => {
    const chart = parse(readFileSync(fileURLToPath(new URL('../../test/fixtures/chart-default-rules.yaml', import.meta.url)), 'utf8')) as {
      rules: { custom?: Array<{ metricsQuery: string }> } | Array<{ metricsQuery: string }>;
    };
    const rules = Array.isArray(chart.rules) ? chart.rules : (chart.rules.custom ?? []);
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(isCoalescibleTemplate(r.metricsQuery), r.metricsQuery).toBe(true);
  });
});

describe('MetricsQuery.buildMerged', () => {
  const conv = new ResourceConverter({ overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' }, node: { resource: 'node' } } }, 'test');
  const q = new MetricsQuery('sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)', conv, 'test');

  it('renders the template for every object of the metric, grouped by namespace and object', () => {
    expect(q.coalescible).toBe(true);
    expect(q.buildMerged({ series: 'http_requests_total', resource: { group: '', resource: 'pods' }, namespaced: true, metricSelector: parseSelector('verb in (GET,PUT),code!=500') })).toEqual({
      promql: 'sum(rate(http_requests_total{code!="500",verb=~"^(GET|PUT)$",namespace!="",pod!=""}[2m])) by (namespace,pod)',
      namespaceLabel: 'namespace',
      resourceLabel: 'pod',
    });
  });

  it('groups cluster-scoped resources by the resource label alone', () => {
    expect(q.buildMerged({ series: 'load', resource: { group: '', resource: 'nodes' }, namespaced: false, metricSelector: Selector.everything() })).toEqual({
      promql: 'sum(rate(load{node!=""}[2m])) by (node)',
      resourceLabel: 'node',
    });
  });
});
