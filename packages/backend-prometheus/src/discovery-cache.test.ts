import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RESOURCES, resourceInfos, type GroupResource, type ResourceInfo } from '@custom-metrics/core';
import type { DiscoveryRuleConfig, GroupResourceConfig } from './config.js';
import { DiscoveryRun, MetricRegistry, resolveLabelResource, type CustomEntry, type ExternalEntry } from './discovery.js';
import { MetricNamer } from './naming/metric-namer.js';
import { grKey, isRootScoped, NAMESPACES } from './naming/resource-names.js';
import { parseSeriesStream } from './series-stream.js';

// DiscoveryRun caches its naming work per (rule, series name) and per (rule, label-name set).
// These properties compare it with the uncached computation (discovery as it was before the
// cache, written out below) on generated rules and series sets: the same metric×resource pairs,
// namespaced flags, series names and rules, in the same order.

const CLUSTER: ResourceInfo[] = [
  ...resourceInfos(BUILTIN_RESOURCES),
  { group: 'argoproj.io', resource: 'rollouts', kind: 'Rollout', namespaced: true, singular: 'rollout' },
  { group: 'keda.sh', resource: 'scaledobjects', kind: 'ScaledObject', namespaced: true, singular: 'scaledobject' },
  { group: 'example.com', resource: 'pods', kind: 'Pod', namespaced: true, singular: 'pod' },
  { group: 'example.com', resource: 'widgets', kind: 'Widget', namespaced: false, singular: 'widget' },
];

/** The uncached computation: every series runs the filters, the name mapping and the label scan. */
function reference(
  namers: readonly MetricNamer[],
  externalNamers: readonly MetricNamer[],
  series: ReadonlyArray<Record<string, string>>,
  known: readonly ResourceInfo[],
  now: number,
): { custom: CustomEntry[]; external: ExternalEntry[] } {
  const pending = new Map<string, { rule: number; metric: string; series: string; labels: string[] }>();
  const external = new Map<string, ExternalEntry>();
  for (const labels of series) {
    namers.forEach((namer, rule) => {
      const name = labels.__name__;
      if (name === undefined || !namer.keepSeries(name)) return;
      const metric = namer.metricNameFor(name);
      if (metric === undefined || metric === '') return;
      const cand: string[] = [];
      for (const l of Object.keys(labels)) if (l !== '__name__' && namer.resources.resourceForLabel(l) !== undefined) cand.push(l);
      cand.sort();
      const key = `${rule}\u0000${name}\u0000${cand.join(',')}`;
      if (!pending.has(key)) pending.set(key, { rule, metric, series: name, labels: cand });
    });
    externalNamers.forEach((namer, rule) => {
      const name = labels.__name__;
      if (name === undefined || !namer.keepSeries(name)) return;
      const metric = namer.metricNameFor(name);
      if (metric === undefined || metric === '') return;
      const key = metric.toLowerCase();
      if (!external.has(key)) external.set(key, { info: { metric }, series: name, rule, lastSeen: now });
    });
  }
  const scoped = (gr: GroupResource) => {
    const r = known.find((x) => x.group === gr.group && x.resource === gr.resource);
    return r !== undefined ? r.namespaced : !isRootScoped(gr);
  };
  const custom: CustomEntry[] = [];
  for (const p of pending.values()) {
    const conv = namers[p.rule].resources;
    const resources: GroupResource[] = [];
    for (const l of p.labels) {
      const r = conv.resourceForLabel(l);
      const gr = r === undefined ? undefined : resolveLabelResource(r, known);
      if (gr !== undefined && !resources.some((x) => grKey(x) === grKey(gr))) resources.push(gr);
    }
    const namespaced = resources.some((r) => grKey(r) === grKey(NAMESPACES));
    for (const gr of resources) {
      custom.push({ info: { groupResource: gr, namespaced: namespaced && scoped(gr), metric: p.metric }, series: p.series, rule: p.rule, lastSeen: now });
    }
  }
  return { custom, external: [...external.values()] };
}

const SERIES_NAMES = [
  'http_requests_total',
  'http_request_duration_seconds_sum',
  'kube_pod_info',
  'queue_depth',
  'Queue_Depth',
  'rollout_ready_total',
  'x',
  '_total',
  'ünïcode_total',
];
const LABEL_NAMES = [
  'namespace',
  'pod',
  'deployment',
  'service',
  'node',
  'rollout',
  'widget',
  'kube_argoproj_io_rollout',
  'kube_example_com_pod',
  'kube_pod',
  'instance',
  'job',
  'kubernetes_namespace',
  'kubernetes_pod_name',
  '__proto__',
  'constructor',
  '0',
];

const ruleArb: fc.Arbitrary<DiscoveryRuleConfig> = fc.record(
  {
    seriesQuery: fc.constant('{job!=""}'),
    seriesFilters: fc.array(fc.oneof(fc.record({ is: fc.constantFrom('^http_', '_total$', 'queue') }), fc.record({ isNot: fc.constantFrom('^kube_', '_sum$', 'depth') })), { maxLength: 2 }),
    name: fc.oneof(
      fc.record({ matches: fc.constantFrom('^(.*)_total$', '^http_(.*)$', '(?i)queue_(depth)', '^(.*)$') }),
      fc.constant({ matches: '^(.*)_(seconds|total)(.*)$', as: '${1}_per_${2}' }),
      fc.constant({ matches: '^(.*)$', as: '' }),
    ),
    resources: fc.oneof(
      fc.record({ template: fc.constantFrom('<<.Resource>>', 'kube_<<.Group>>_<<.Resource>>', 'kubernetes_<<.Resource>>') }),
      fc.record({
        overrides: fc.constantFrom<Record<string, GroupResourceConfig>>(
          { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } },
          { kubernetes_namespace: { resource: 'namespace' }, kubernetes_pod_name: { resource: 'pod' } },
          { rollout: { group: 'argoproj.io', resource: 'rollout' }, node: { resource: 'node' } },
        ),
      }),
      fc.record({ template: fc.constant('<<.Resource>>'), overrides: fc.constant({ kubernetes_namespace: { resource: 'namespace' }, widget: { group: 'example.com', resource: 'widget' } }) }),
    ),
    metricsQuery: fc.constant('sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'),
  },
  { requiredKeys: ['seriesQuery', 'metricsQuery'] },
);

/** Series sets with few distinct names and label-name sets, many series each, in any order. */
const seriesArb = fc.array(
  fc.record({
    name: fc.option(fc.constantFrom(...SERIES_NAMES), { nil: undefined, freq: 10 }),
    labels: fc.uniqueArray(fc.constantFrom(...LABEL_NAMES), { maxLength: 5 }),
    value: fc.constantFrom('a', 'b', 'c'),
  }),
  { maxLength: 60 },
).map((xs) =>
  xs.map(({ name, labels, value }) => {
    const o: Record<string, string> = {};
    if (name !== undefined) o.__name__ = name;
    for (const l of labels) Object.defineProperty(o, l, { value, enumerable: true, writable: true, configurable: true });
    return o;
  }),
);

function cached(
  namers: readonly MetricNamer[],
  externalNamers: readonly MetricNamer[],
  feed: (add: (labels: Record<string, string>, names?: string) => void) => void,
  known: readonly ResourceInfo[],
  now: number,
): { custom: CustomEntry[]; external: ExternalEntry[] } {
  const run = new DiscoveryRun(now);
  feed((labels, names) => {
    namers.forEach((n, i) => run.addCustomSeries(i, n, labels, names));
    externalNamers.forEach((n, i) => run.addExternalSeries(i, n, labels));
  });
  return { custom: run.customEntries(namers, known), external: run.externalEntries() };
}

describe('DiscoveryRun caches naming work without changing its results', () => {
  const knownArb = fc.constantFrom(CLUSTER, resourceInfos(BUILTIN_RESOURCES), [] as ResourceInfo[]);

  it('agrees with the uncached computation when the labels come alone (no signature)', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 3 }), fc.array(ruleArb, { maxLength: 2 }), seriesArb, knownArb, (rules, ext, series, known) => {
        const namers = rules.map((r, i) => new MetricNamer(r, `rules[${i}]`));
        const externalNamers = ext.map((r, i) => new MetricNamer(r, `externalRules[${i}]`, true));
        const got = cached(namers, externalNamers, (add) => series.forEach((s) => add(s)), known, 1);
        expect(got).toEqual(reference(namers, externalNamers, series, known, 1));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the uncached computation when the series parser hands it the label-name signatures', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ruleArb, { minLength: 1, maxLength: 3 }), seriesArb, knownArb, fc.integer({ min: 1, max: 64 }), async (rules, series, known, size) => {
        const namers = rules.map((r, i) => new MetricNamer(r, `rules[${i}]`));
        const body = new TextEncoder().encode(JSON.stringify({ status: 'success', data: series }));
        const parsed: Array<[Record<string, string>, string]> = [];
        async function* chunks(): AsyncGenerator<Uint8Array> {
          for (let i = 0; i < body.length; i += size) yield body.slice(i, i + size);
        }
        await parseSeriesStream(chunks(), (labels, names) => parsed.push([labels, names]));
        const got = cached(namers, [], (add) => parsed.forEach(([l, n]) => add(l, n)), known, 1);
        expect(got).toEqual(reference(namers, [], series, known, 1));
      }),
      { numRuns: 200 },
    );
  });

  it('gives the registry the same metrics either way, also across relists', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 3 }), seriesArb, seriesArb, (rules, first, second) => {
        const namers = rules.map((r, i) => new MetricNamer(r, `rules[${i}]`));
        const a = new MetricRegistry();
        const b = new MetricRegistry();
        [first, second].forEach((series, k) => {
          const run = new DiscoveryRun(k);
          series.forEach((s) => namers.forEach((n, i) => run.addCustomSeries(i, n, s)));
          namers.forEach((_, i) => run.okCustomRules.add(i));
          a.apply(run, run.customEntries(namers, CLUSTER), 10);
          const ref = new DiscoveryRun(k);
          namers.forEach((_, i) => ref.okCustomRules.add(i));
          b.apply(ref, reference(namers, [], series, CLUSTER, k).custom, 10);
        });
        expect(a.listCustom()).toEqual(b.listCustom());
      }),
      { numRuns: 200 },
    );
  });
});

describe('labelNamesKey from the series parser', () => {
  it('is the same string for every series with the same label names in the same order, and differs otherwise', async () => {
    const series = [
      { __name__: 'a', pod: 'p', namespace: 'n' },
      { __name__: 'b', pod: 'q', namespace: 'm' },
      { __name__: 'a', pod: 'p' },
      { __name__: 'a', 'pod,namespace': 'p' },
      { __name__: 'c', pod: 'x', namespace: 'y' },
      { __name__: 'a', ab: '1', c: '1' },
      { __name__: 'a', a: '1', bc: '1' },
    ];
    const keys: string[] = [];
    async function* body(): AsyncGenerator<string> {
      yield JSON.stringify({ status: 'success', data: series });
    }
    await parseSeriesStream(body(), (_, names) => keys.push(names));
    expect(keys[1]).toBe(keys[0]);
    expect(keys[4]).toBe(keys[0]);
    expect(new Set([keys[0], keys[2], keys[3], keys[5], keys[6]]).size).toBe(5);
  });
});
