// Integration against the REAL Prometheus binary: a generated config scrapes a local test
// exporter every second; values read through the provider must equal what Prometheus returns
// for the same PromQL; stopping Prometheus gives 503, restarting it recovers the same provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetricsError, parseSelector, Selector } from '@custom-metrics/core';
import type { BackendInstance, CustomMetricsProvider, ExternalMetricsProvider, KubeObject } from '@custom-metrics/core';
import {
  conformanceData,
  customProviderConformance,
  externalProviderConformance,
  fakeBackendContext,
  FakeKubeLookup,
} from '@custom-metrics/core/testing';
import type { ConformanceData } from '@custom-metrics/core/testing';
import { createPrometheusBackend } from '../src/plugin.js';
import { freePort, requireBinary, waitFor } from '../../../test-support/index.js';
import { startExporter, type ExposedSeries, type TestExporter } from './support/exporter.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus.js';

const bin = requireBinary('prometheus', 'apt-get install prometheus');

const OVERRIDES = {
  namespace: { resource: 'namespace' },
  pod: { resource: 'pod' },
  deployment: { group: 'apps', resource: 'deployment' },
  node: { resource: 'node' },
};

/** The backend config used throughout: conformance_* and demo_* metrics. */
const config = (url: string) => ({
  url,
  timeout: '2s',
  cache: { ttl: '0s' },
  discovery: { interval: '1m', lookback: '5m' },
  rules: [
    {
      seriesQuery: '{__name__=~"conformance_.*|demo_.*",__name__!="conformance_Queue_Messages"}',
      resources: { overrides: OVERRIDES },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    },
  ],
  externalRules: [
    { seriesQuery: '{__name__="conformance_Queue_Messages"}', metricsQuery: '<<.Series>>{<<.LabelMatchers>>}' },
    { seriesQuery: '{__name__="demo_queue_depth"}', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)', resources: { namespaced: false } },
  ],
});

function seriesFor(data: ConformanceData): ExposedSeries[] {
  const out: ExposedSeries[] = [];
  for (const s of data.custom) {
    const o = s.object;
    const key = o.gvk.kind === 'Pod' ? 'pod' : o.gvk.kind === 'Deployment' ? 'deployment' : 'node';
    out.push({ name: s.info.metric, labels: { ...(o.namespace ? { namespace: o.namespace } : {}), [key]: o.name, ...s.labels }, value: s.value });
  }
  for (const e of data.external) out.push({ name: e.metric, labels: { ...e.labels }, value: e.value });
  return out;
}

const demoPods: KubeObject[] = ['demo-1', 'demo-2', 'demo-3'].map((name) => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name,
  namespace: 'demo',
  labels: { app: 'demo' },
  annotations: {},
}));
const demoDeployment: KubeObject = { gvk: { group: 'apps', version: 'v1', kind: 'Deployment' }, name: 'demo', namespace: 'demo', labels: {}, annotations: {} };
const demoSeries: ExposedSeries[] = [
  { name: 'demo_requests', labels: { namespace: 'demo', pod: 'demo-1', verb: 'GET' }, value: 3 },
  { name: 'demo_requests', labels: { namespace: 'demo', pod: 'demo-1', verb: 'POST' }, value: 4 },
  { name: 'demo_requests', labels: { namespace: 'demo', pod: 'demo-2', verb: 'GET' }, value: 5.5 },
  { name: 'demo_requests', labels: { namespace: 'demo', pod: 'demo-3', verb: 'GET' }, value: NaN },
  { name: 'demo_requests', labels: { namespace: 'demo', deployment: 'demo', verb: 'GET' }, value: 42 },
  { name: 'demo_queue_depth', labels: { queue: 'orders', region: 'eu' }, value: 10 },
  { name: 'demo_queue_depth', labels: { queue: 'orders', region: 'us' }, value: 15 },
  { name: 'demo_queue_depth', labels: { queue: 'mail', region: 'us' }, value: 2 },
];

describe.skipIf(!bin)('Prometheus backend against a real Prometheus', () => {
  let exporter: TestExporter;
  let prom: PrometheusProcess;
  const data = conformanceData();

  beforeAll(async () => {
    exporter = await startExporter([...seriesFor(data), ...demoSeries]);
    prom = await startPrometheus(bin as string, exporter.port);
    await waitFor(
      'the first scrape of every test series',
      async () => (await prom.query('count({__name__=~"conformance_.*|demo_.*"})'))[0]?.value === exporter.series.length,
      30_000,
      250,
    );
  });

  afterAll(async () => {
    await prom?.dispose();
    await exporter?.stop();
  });

  const signal = () => new AbortController().signal;

  describe('values through the provider equal Prometheus for the same PromQL', () => {
    let instance: BackendInstance & { custom: CustomMetricsProvider; external: ExternalMetricsProvider };
    beforeAll(async () => {
      const ctx = fakeBackendContext({ kube: new FakeKubeLookup({ objects: [...demoPods, demoDeployment] }) });
      instance = createPrometheusBackend(ctx, config(prom.url)) as typeof instance;
      await instance.start?.();
    });
    afterAll(async () => {
      await instance?.close?.();
    });

    it('Pods: a * query over the selected pods', async () => {
      const got = await instance.custom.getMetricBySelector({
        namespace: 'demo',
        selector: parseSelector('app=demo'),
        info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'demo_requests' },
        metricSelector: parseSelector('verb=GET'),
        signal: signal(),
      });
      const direct = await prom.query('sum(demo_requests{verb="GET",namespace="demo",pod=~"demo-1|demo-2|demo-3"}) by (pod)');
      const finite = direct.filter((s) => Number.isFinite(s.value));
      expect(Object.fromEntries(got.map((v) => [v.describedObject.name, v.value]))).toEqual(Object.fromEntries(finite.map((s) => [s.metric.pod, s.value])));
      expect(got.map((v) => v.describedObject.name).sort()).toEqual(['demo-1', 'demo-2']); // demo-3 is NaN: dropped
    });

    it('Object: a deployment by name and a namespace metric', async () => {
      const dep = await instance.custom.getMetricByName({
        namespace: 'demo',
        name: 'demo',
        info: { groupResource: { group: 'apps', resource: 'deployments' }, namespaced: true, metric: 'demo_requests' },
        metricSelector: Selector.everything(),
        signal: signal(),
      });
      const [direct] = await prom.query('sum(demo_requests{namespace="demo",deployment="demo"}) by (deployment)');
      expect(dep.value).toBe(direct.value);
      expect(dep.describedObject).toEqual({ kind: 'Deployment', namespace: 'demo', name: 'demo', apiVersion: 'apps/v1' });
      const ns = await instance.custom.getMetricByName({
        namespace: '',
        name: 'demo',
        info: { groupResource: { group: '', resource: 'namespaces' }, namespaced: false, metric: 'demo_requests' },
        metricSelector: parseSelector('verb in (POST)'),
        signal: signal(),
      });
      const [nsDirect] = await prom.query('sum(demo_requests{verb=~"^(POST)$",namespace="demo"}) by (namespace)');
      expect(ns.value).toBe(nsDirect.value);
    });

    it('External: one value per series, not namespaced', async () => {
      const got = await instance.external.getExternalMetric({
        namespace: 'anything',
        metricSelector: parseSelector('queue=orders'),
        info: { metric: 'demo_queue_depth' },
        signal: signal(),
      });
      const direct = await prom.query('sum(demo_queue_depth{queue="orders"}) by (queue)');
      expect(got.map((v) => [v.metricLabels, v.value])).toEqual(direct.map((s) => [s.metric, s.value]));
    });

    it('Prometheus stopped → 503 MetricsError; restarted → the same provider recovers', async () => {
      const ask = () =>
        instance.external.getExternalMetric({ namespace: 'x', metricSelector: Selector.everything(), info: { metric: 'demo_queue_depth' }, signal: signal() });
      await prom.stop();
      try {
        await ask();
        expect.unreachable('expected a 503');
      } catch (e) {
        expect(isMetricsError(e) && e.code).toBe(503);
      }
      await prom.restart();
      const values = await waitFor('recovery after restart', async () => {
        try {
          const v = await ask();
          return v.length > 0 ? v : undefined;
        } catch {
          return undefined;
        }
      }, 30_000, 250);
      expect(values.map((v) => v.value).sort((a, b) => a - b)).toEqual([2, 25]);
    });
  });

  describe('core conformance kit', () => {
    const setup = async (env: { kube: FakeKubeLookup; context: ReturnType<typeof fakeBackendContext> }) => {
      const instance = createPrometheusBackend(env.context, config(prom.url));
      const extra: BackendInstance[] = [];
      /** A started instance over `cfg` (the same Prometheus, or none), closed with the case. */
      const other = async (cfg: ReturnType<typeof config>) => {
        const i = createPrometheusBackend(env.context, cfg);
        extra.push(i);
        await i.start?.().catch(() => undefined);
        return i;
      };
      // Nothing listens on a fresh free port: the connection is refused.
      const closedUrl = async () => `http://127.0.0.1:${await freePort()}`;
      // Valid rules whose PromQL Prometheus refuses (a dangling operator): a 400 bad_data.
      const rejecting = (): ReturnType<typeof config> => {
        const c = config(prom.url);
        return {
          ...c,
          rules: c.rules.map((r) => ({ ...r, metricsQuery: `${r.metricsQuery} +` })),
          externalRules: c.externalRules.map((r) => ({ ...r, metricsQuery: `${r.metricsQuery} +` })),
        };
      };
      return {
        instance,
        other,
        closedUrl,
        rejecting,
        seed: async () => {
          await instance.start?.();
        },
        cleanup: async () => {
          await instance.close?.();
          for (const i of extra) await i.close?.();
        },
      };
    };
    for (const c of customProviderConformance(async (env) => {
      const t = await setup(env);
      return {
        provider: t.instance.custom as CustomMetricsProvider,
        seed: t.seed,
        cleanup: t.cleanup,
        failing: {
          unreachable: async () => (await t.other(config(await t.closedUrl()))).custom as CustomMetricsProvider,
          rejected: async () => (await t.other(t.rejecting())).custom as CustomMetricsProvider,
        },
      };
    })) {
      it(c.name, c.run);
    }
    for (const c of externalProviderConformance(async (env) => {
      const t = await setup(env);
      return {
        provider: t.instance.external as ExternalMetricsProvider,
        seed: t.seed,
        cleanup: t.cleanup,
        failing: {
          unreachable: async () => (await t.other(config(await t.closedUrl()))).external as ExternalMetricsProvider,
          rejected: async () => (await t.other(t.rejecting())).external as ExternalMetricsProvider,
        },
      };
    })) {
      it(`external: ${c.name}`, c.run);
    }
  });
});
