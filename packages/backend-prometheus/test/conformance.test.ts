// The core provider conformance kit against this backend over its fake client
// (FakePrometheusClient.serve evaluates the selectors the rules below send), so it runs
// everywhere without a binary. The same kit runs against a real Prometheus in
// prometheus.integration.test.ts ("core conformance kit").
import { describe, it } from 'vitest';
import type { CustomMetricsProvider, ExternalMetricsProvider } from '@custom-metrics/core';
import { customProviderConformance, externalProviderConformance } from '@custom-metrics/core/testing';
import type { ConformanceData, ConformanceEnv } from '@custom-metrics/core/testing';
import { FakePrometheusClient } from '@custom-metrics/backend-prometheus/testing';
import type { FakeSeries } from '@custom-metrics/backend-prometheus/testing';
import { createPrometheusBackend } from '../src/index.js';

const OVERRIDES = {
  namespace: { resource: 'namespace' },
  pod: { resource: 'pod' },
  deployment: { group: 'apps', resource: 'deployment' },
  node: { resource: 'node' },
};

const config = {
  url: 'http://127.0.0.1:1',
  cache: { ttl: '0s' },
  discovery: { interval: '1m', lookback: '5m' },
  rules: [
    {
      seriesQuery: '{__name__=~"conformance_.*",__name__!="conformance_Queue_Messages"}',
      resources: { overrides: OVERRIDES },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    },
  ],
  externalRules: [{ seriesQuery: '{__name__="conformance_Queue_Messages"}', metricsQuery: '<<.Series>>{<<.LabelMatchers>>}' }],
};

/** The kit's data as Prometheus would hold it: one series per sample, tied to objects by label. */
function seriesFor(data: ConformanceData): FakeSeries[] {
  const t = data.timestamp.getTime();
  const out: FakeSeries[] = [];
  for (const s of data.custom) {
    const o = s.object;
    const key = o.gvk.kind === 'Pod' ? 'pod' : o.gvk.kind === 'Deployment' ? 'deployment' : 'node';
    const labels = { __name__: s.info.metric, ...(o.namespace ? { namespace: o.namespace } : {}), [key]: o.name, ...s.labels };
    out.push({ labels, value: s.value, timestampMs: t });
  }
  for (const e of data.external) out.push({ labels: { __name__: e.metric, ...e.labels }, value: e.value, timestampMs: t });
  return out;
}

async function setup(env: ConformanceEnv) {
  const client = new FakePrometheusClient();
  const instance = createPrometheusBackend(env.context, config, { client });
  return {
    instance,
    seed: async (data: ConformanceData) => {
      client.serve(seriesFor(data));
      await instance.start?.();
    },
    cleanup: () => instance.close?.(),
  };
}

describe('custom metrics conformance (FakePrometheusClient)', () => {
  for (const c of customProviderConformance(async (env) => {
    const { instance, ...rest } = await setup(env);
    return { provider: instance.custom as CustomMetricsProvider, ...rest };
  })) {
    it(c.name, c.run);
  }
});

describe('external metrics conformance (FakePrometheusClient)', () => {
  for (const c of externalProviderConformance(async (env) => {
    const { instance, ...rest } = await setup(env);
    return { provider: instance.external as ExternalMetricsProvider, ...rest };
  })) {
    it(c.name, c.run);
  }
});
