// prometheus-adapter's upstream sample config and the Helm chart's default rules load unchanged
// and produce the PromQL prometheus-adapter produces (expected strings follow its
// pkg/naming/metrics_query.go Build logic: selector matchers, then namespace, then the resource
// matcher — `=` for one name, `=~"a|b"` for several — and GroupBy = resource label + extras).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RESOURCES, parseSelector, resourceInfos, Selector } from '@custom-metrics/core';
import type { GroupResource, ResourceInfo } from '@custom-metrics/core';
import { ConfigError } from '../src/errors.js';
import { resolveConfig } from '../src/config.js';
import { configSchema } from '../src/config-schema.js';
import { DiscoveryRun } from '../src/discovery.js';
import { MetricNamer } from '../src/naming/metric-namer.js';
import { MetricsQuery } from '../src/naming/metrics-query.js';
import { ResourceConverter } from '../src/naming/resource-converter.js';

const fixture = (name: string) => parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const PODS: GroupResource = { group: '', resource: 'pods' };
const NAMESPACES: GroupResource = { group: '', resource: 'namespaces' };
const SERVICES: GroupResource = { group: '', resource: 'services' };
const DEPLOYMENTS: GroupResource = { group: 'apps', resource: 'deployments' };
const NODES: GroupResource = { group: '', resource: 'nodes' };
/** The cluster's resource types, as discovery lists them. */
const CLUSTER: ResourceInfo[] = resourceInfos(BUILTIN_RESOURCES).filter((r) => ['pods', 'namespaces', 'services', 'nodes', 'deployments'].includes(r.resource));
const all = Selector.everything();

async function discover(namers: MetricNamer[], series: Array<Record<string, string>>) {
  const run = new DiscoveryRun(0);
  for (const s of series) namers.forEach((n, i) => run.addCustomSeries(i, n, s));
  const entries = run.customEntries(namers, CLUSTER);
  return entries.map((e) => `${e.rule}:${e.info.metric}@${e.info.groupResource.resource}${e.info.namespaced ? '' : '(root)'}<-${e.series}`).sort();
}

describe('prometheus-adapter docs/sample-config.yaml', () => {
  const raw = fixture('adapter-sample-config.yaml');

  it('reports the upstream typo `metricQuery` with its path (the schema, which the server applies, calls it an unknown field)', () => {
    const schema = new Ajv({ allErrors: true, strict: false }).compile(configSchema);
    expect(schema({ url: 'http://127.0.0.1:9090', ...raw })).toBe(false);
    expect(schema.errors).toContainEqual(expect.objectContaining({ instancePath: '/rules/3', keyword: 'additionalProperties', params: { additionalProperty: 'metricQuery' } }));
    // Without the schema, compiling the rule still refuses it, naming the missing metricsQuery.
    const rule3 = (raw.rules as Array<Record<string, unknown>>)[3] as unknown as ConstructorParameters<typeof MetricNamer>[0];
    expect(() => new MetricNamer(rule3, 'rules[3]')).toThrow(ConfigError);
    expect(() => new MetricNamer(rule3, 'rules[3]')).toThrow('rules[3].metricsQuery: required field is missing');
  });

  const rules = structuredClone(raw.rules) as Array<Record<string, unknown>>;
  rules[3].metricsQuery = rules[3].metricQuery;
  delete rules[3].metricQuery;
  const cfg = resolveConfig({ url: 'http://127.0.0.1:9090', rules, externalRules: raw.externalRules });
  const namers = cfg.rules.map((r, i) => new MetricNamer(r, `rules[${i}]`));
  const ext = cfg.externalRules.map((r, i) => new MetricNamer(r, `externalRules[${i}]`, true));

  it('discovers the same metric names and resources', async () => {
    const got = await discover(namers, [
      { __name__: 'container_cpu_usage_seconds_total', container: 'app', namespace: 'default', pod: 'web-1' },
      { __name__: 'container_network_receive_bytes_total', container: 'app', namespace: 'default', pod: 'web-1' },
      { __name__: 'http_requests_total', namespace: 'default', pod: 'web-1', service: 'frontend', deployment: 'web', job: 'x' },
      { __name__: 'cheddar', sharp: 'true', brand: 'tillamook' },
    ]);
    expect(got).toEqual(
      [
        '0:cpu_usage@pods<-container_cpu_usage_seconds_total',
        '0:cpu_usage@namespaces(root)<-container_cpu_usage_seconds_total',
        '1:network_receive_bytes@pods<-container_network_receive_bytes_total',
        '1:network_receive_bytes@namespaces(root)<-container_network_receive_bytes_total',
        // rule 2's seriesQuery would not return container_* series from Prometheus; the fake
        // returns every series to every rule, so the rule's own name filter is what is tested.
        '2:container_network_receive_bytes@pods<-container_network_receive_bytes_total',
        '2:container_network_receive_bytes@namespaces(root)<-container_network_receive_bytes_total',
        '2:container_cpu_usage_seconds@pods<-container_cpu_usage_seconds_total',
        '2:container_cpu_usage_seconds@namespaces(root)<-container_cpu_usage_seconds_total',
        '2:http_requests@pods<-http_requests_total',
        '2:http_requests@namespaces(root)<-http_requests_total',
        '2:http_requests@services<-http_requests_total',
        '2:http_requests@deployments<-http_requests_total',
        '3:cheesy_goodness@brands(root)<-cheddar',
      ].sort(),
    );
  });

  it.each([
    [0, 'container_cpu_usage_seconds_total', PODS, 'default', ['web-1'], '', 'sum(rate(container_cpu_usage_seconds_total{namespace="default",pod="web-1",container!="POD"}[2m])) by (pod)'],
    [0, 'container_cpu_usage_seconds_total', PODS, 'default', ['web-1', 'web-2'], '', 'sum(rate(container_cpu_usage_seconds_total{namespace="default",pod=~"web-1|web-2",container!="POD"}[2m])) by (pod)'],
    [0, 'container_cpu_usage_seconds_total', NAMESPACES, '', ['default'], '', 'sum(rate(container_cpu_usage_seconds_total{namespace="default",container!="POD"}[2m])) by (namespace)'],
    [1, 'container_network_receive_bytes_total', PODS, 'kube-system', ['a', 'b', 'c'], 'interface=eth0', 'sum(rate(container_network_receive_bytes_total{interface="eth0",namespace="kube-system",pod=~"a|b|c",container!="POD"}[2m])) by (pod)'],
    [2, 'http_requests_total', SERVICES, 'default', ['frontend'], '', 'sum(rate(http_requests_total{namespace="default",service="frontend",container!="POD"}[2m])) by (service)'],
    [2, 'http_requests_total', DEPLOYMENTS, 'default', ['sample-app'], 'verb=GET', 'sum(rate(http_requests_total{verb="GET",namespace="default",deployment="sample-app",container!="POD"}[2m])) by (deployment)'],
    [3, 'cheddar', { group: 'cheese.io', resource: 'brands' }, '', ['tillamook'], '', 'count(cheddar{sharp="true"})'],
  ])('rule %i: %s on %o in %s → PromQL', (rule, series, resource, namespace, names, msel, want) => {
    const q = namers[rule].query.build({ series, resource, namespace, names, metricSelector: parseSelector(msel) });
    expect(q).toBe(want);
  });

  it('external rules: namespace added unless namespaced: false; selector matchers first', () => {
    expect(ext[0].query.buildExternal('queue_consumer_lag', 'default', parseSelector('name=orders'))).toBe(
      'sum(queue_consumer_lag{name="orders",namespace="default"}) by (name)',
    );
    expect(cfg.externalRules[1].resources?.namespaced).toBe(false);
    expect(ext[1].query.buildExternal('queue_depth', '', parseSelector('topic=orders'))).toBe('sum(queue_depth{topic="orders"}) by (name)');
    expect(ext[1].metricNameFor('queue_depth')).toBe('queue_depth');
  });
});

describe('prometheus-community Helm chart default rules', () => {
  const raw = fixture('chart-default-rules.yaml');
  const cfg = resolveConfig({ url: 'http://127.0.0.1:9090', ...raw });
  const namers = cfg.rules.map((r, i) => new MetricNamer(r, `rules[${i}]`));

  it('load unchanged and name series as the adapter does', async () => {
    const got = await discover(namers, [
      { __name__: 'container_cpu_usage_seconds_total', container: 'app', namespace: 'default', pod: 'p' },
      { __name__: 'container_fs_reads_total', container: 'app', namespace: 'default', pod: 'p' },
      { __name__: 'container_memory_working_set_bytes', container: 'app', namespace: 'default', pod: 'p' },
    ]);
    // The container_* series reach rules 3-5 only through this fake (their seriesQuery excludes them).
    const containerRules = got.filter((g) => /^[012]:/.test(g));
    expect(containerRules).toEqual([
      '0:cpu_usage@namespaces(root)<-container_cpu_usage_seconds_total',
      '0:cpu_usage@pods<-container_cpu_usage_seconds_total',
      '1:fs_reads@namespaces(root)<-container_fs_reads_total',
      '1:fs_reads@pods<-container_fs_reads_total',
      '2:memory_working_set_bytes@namespaces(root)<-container_memory_working_set_bytes',
      '2:memory_working_set_bytes@pods<-container_memory_working_set_bytes',
    ]);
    const app = await discover(namers.slice(3), [
      { __name__: 'queue_length', namespace: 'default', pod: 'p' },
      { __name__: 'http_requests_total', namespace: 'default', pod: 'p' },
      { __name__: 'request_duration_seconds_total', namespace: 'default', pod: 'p' },
    ]);
    expect(app.filter((g) => g.includes('@pods'))).toEqual([
      '0:queue_length@pods<-queue_length',
      '1:http_requests@pods<-http_requests_total',
      '2:request_duration@pods<-request_duration_seconds_total',
    ]);
  });

  it.each([
    [0, 'container_cpu_usage_seconds_total', ['p'], 'sum(rate(container_cpu_usage_seconds_total{namespace="default",pod="p",container!="POD"}[5m])) by (pod)'],
    [2, 'container_memory_working_set_bytes', ['p', 'q'], 'sum(container_memory_working_set_bytes{namespace="default",pod=~"p|q",container!="POD"}) by (pod)'],
    [3, 'queue_length', ['p'], 'sum(queue_length{namespace="default",pod="p"}) by (pod)'],
    [4, 'http_requests_total', ['p', 'q'], 'sum(rate(http_requests_total{namespace="default",pod=~"p|q"}[5m])) by (pod)'],
    [5, 'request_duration_seconds_total', ['p'], 'sum(rate(request_duration_seconds_total{namespace="default",pod="p"}[5m])) by (pod)'],
  ])('rule %i: %s → PromQL', (rule, series, names, want) => {
    expect(namers[rule].query.build({ series, resource: PODS, namespace: 'default', names, metricSelector: all })).toBe(want);
  });

  it('resource rules: container and node queries', () => {
    const rr = cfg.resourceRules!;
    const conv = new ResourceConverter(rr.cpu.resources, 'cpu.resources');
    const container = new MetricsQuery(rr.cpu.containerQuery, conv, 'cpu.containerQuery');
    const node = new MetricsQuery(rr.memory.nodeQuery, new ResourceConverter(rr.memory.resources, 'm'), 'memory.nodeQuery');
    expect(
      container.build({ series: '', resource: PODS, namespace: 'default', names: ['a', 'b'], metricSelector: all, extraGroupBy: ['container'] }),
    ).toBe('sum(rate(container_cpu_usage_seconds_total{namespace="default",pod=~"a|b", container!=""}[3m])) by (pod,container)');
    expect(node.build({ series: '', resource: NODES, namespace: '', names: ['n1'], metricSelector: all })).toBe(
      `sum(container_memory_working_set_bytes{node="n1",id='/'}) by (node)`,
    );
    expect(cfg.resourceWindowMs).toBe(180_000);
  });
});

describe('hostile values cannot inject PromQL', () => {
  const cfg = resolveConfig({ url: 'http://127.0.0.1:9090', ...fixture('chart-default-rules.yaml') });
  const q = new MetricNamer(cfg.rules[3], 'r').query;
  it('escapes names, namespaces and selector values', () => {
    const out = q.build({
      series: 'queue_length',
      resource: PODS,
      namespace: 'ns"}) or vector(1) #',
      names: ['a.b', 'x"|.*'],
      metricSelector: parseSelector('verb in (GET,PO.ST)'),
    });
    expect(out).toBe(
      'sum(queue_length{verb=~"^(GET|PO\\\\.ST)$",namespace="ns\\"}) or vector(1) #",pod=~"a\\\\.b|x\\"\\\\|\\\\.\\\\*"}) by (pod)',
    );
  });
});

describe('prometheus-adapter docs/config-walkthrough.md (per-pod HTTP requests)', () => {
  const rule = {
    seriesQuery: 'http_requests_total{kubernetes_namespace!="",kubernetes_pod_name!=""}',
    resources: { overrides: { kubernetes_namespace: { resource: 'namespace' }, kubernetes_pod_name: { resource: 'pod' } } },
    name: { matches: '^(.*)_total', as: '${1}_per_second' },
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
  };
  const cfg = resolveConfig({ url: 'http://127.0.0.1:9090', rules: [rule] });
  const namer = new MetricNamer(cfg.rules[0], 'rules[0]');

  it('exposes http_requests_per_second on pods and namespaces', async () => {
    const got = await discover(
      [namer],
      [{ __name__: 'http_requests_total', method: 'GET', kubernetes_namespace: 'production', kubernetes_pod_name: 'frontend-server-abcd-0123' }],
    );
    expect(got).toEqual(['0:http_requests_per_second@namespaces(root)<-http_requests_total', '0:http_requests_per_second@pods<-http_requests_total']);
  });

  it('builds the query the walkthrough describes', () => {
    expect(
      namer.query.build({
        series: 'http_requests_total',
        resource: PODS,
        namespace: 'production',
        names: ['frontend-server-abcd-0123', 'frontend-server-abcd-4567'],
        metricSelector: all,
      }),
    ).toBe(
      'sum(rate(http_requests_total{kubernetes_namespace="production",kubernetes_pod_name=~"frontend-server-abcd-0123|frontend-server-abcd-4567"}[2m])) by (kubernetes_pod_name)',
    );
  });

  it('the template form kubernetes_<<.Resource>> maps the namespace label the same way', async () => {
    const t = new MetricNamer({ ...rule, resources: { template: 'kubernetes_<<.Resource>>' } }, 't');
    expect(t.resources.labelForResource(NAMESPACES)).toBe('kubernetes_namespace');
    expect(t.resources.labelForResource(PODS)).toBe('kubernetes_pod');
    expect(t.resources.resourceForLabel('kubernetes_namespace')).toMatchObject({ resource: NAMESPACES, exact: false });
  });
});
