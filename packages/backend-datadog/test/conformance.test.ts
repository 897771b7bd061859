// The core provider conformance kit, run against this backend twice: with the Datadog API double
// behind the real @datadog/datadog-api-client, and with the in-process FakeDatadogClient. Neither
// needs anything outside the repository (Datadog is SaaS: there is no binary to run).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { customProviderConformance, externalProviderConformance } from '@custom-metrics/core/testing';
import type { ConformanceData, CustomConformanceOptions, ExternalConformanceOptions } from '@custom-metrics/core/testing';
import { createDatadogBackend } from '../src/index.js';
import type { DatadogBackendConfig } from '../src/index.js';
import { freePort } from '../../../test-support/index.js';
import { ENV, startDouble } from './support/harness.js';
import { FakeDatadogClient, storeResolver } from '@custom-metrics/backend-datadog/testing';
import type { DatadogDouble, StoredSeries } from '@custom-metrics/backend-datadog/testing';

let double: DatadogDouble;
beforeAll(async () => {
  double = await startDouble();
});
afterAll(async () => {
  await double.stop();
});

/** How each resource's objects are tagged in Datadog (as the Datadog Agent tags them). */
const OBJECT_TAG: Record<string, { metric: string; tag: string }> = {
  pods: { metric: 'pod', tag: 'pod_name' },
  'deployments.apps': { metric: 'deployment', tag: 'kube_deployment' },
  nodes: { metric: 'node', tag: 'host' },
};
const grKey = (gr: { group: string; resource: string }) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);
const ddMetric = (resourceKey: string, metric: string) => `conformance.${OBJECT_TAG[resourceKey].metric}.${metric}`;

function toStore(data: ConformanceData): StoredSeries[] {
  const t = data.timestamp.getTime();
  const store: StoredSeries[] = [];
  for (const s of data.custom) {
    const key = grKey(s.info.groupResource);
    const tags = [`${OBJECT_TAG[key].tag}:${s.object.name}`, ...Object.entries(s.labels).map(([k, v]) => `${k}:${v}`)];
    if (s.object.namespace) tags.push(`kube_namespace:${s.object.namespace}`);
    store.push({ metric: ddMetric(key, s.info.metric), tags, points: [[t - 30_000, null], [t, s.value]] });
  }
  for (const s of data.external) {
    store.push({ metric: 'conformance.queue.messages', tags: Object.entries(s.labels).map(([k, v]) => `${k}:${v}`), points: [[t, s.value]] });
  }
  return store;
}

function configFor(data: ConformanceData): Partial<DatadogBackendConfig> {
  const custom = new Map<string, NonNullable<DatadogBackendConfig['custom']>[number]>();
  for (const s of data.custom) {
    const key = grKey(s.info.groupResource);
    custom.set(`${key}/${s.info.metric}`, { name: s.info.metric, resource: key, objectTag: OBJECT_TAG[key].tag, metric: ddMetric(key, s.info.metric) });
  }
  const externalName = data.external[0].metric;
  return {
    custom: [...custom.values()],
    external: [{ name: externalName, metric: 'conformance.queue.messages', groupBy: ['namespace', 'queue', 'env'] }],
  };
}

/** Rules whose queries the Datadog API refuses with a 400 (an unknown aggregator). */
function rejecting(data: ConformanceData): Partial<DatadogBackendConfig> {
  const c = configFor(data);
  return {
    custom: c.custom!.map(({ metric, ...r }) => ({ ...r, query: `bogus:${metric}{<<tags>>} by {<<by>>}` })),
    external: c.external!.map(({ metric, groupBy, ...r }) => ({ ...r, query: `bogus:${metric}{<<tags>>} by {${groupBy!.join(',')}}` })),
  };
}

/** Instances built by one case, to close with it; `failing` providers of core's failure table. */
function failingFor(context: Parameters<typeof createDatadogBackend>[0], data: ConformanceData, extra: Array<{ close?(): unknown }>) {
  const make = (cfg: Partial<DatadogBackendConfig>) => {
    const i = createDatadogBackend(context, { refreshIntervalSeconds: 3600, requestTimeoutSeconds: 2, retry: { maxAttempts: 1 }, ...cfg }, { env: ENV });
    extra.push(i);
    return i;
  };
  return {
    // Nothing listens on a fresh free port: the connection is refused.
    unreachable: async () => make({ baseUrl: `http://127.0.0.1:${await freePort()}`, ...configFor(data) }),
    rejected: () => make({ baseUrl: double.url, ...rejecting(data) }),
  };
}

/**
 * The two answers this backend documents differently from the kit's general rule (README, "No
 * data" and "A query Datadog rejects"; issue #16 items 6 and 7).
 */
const DECLARED: CustomConformanceOptions & ExternalConformanceOptions = {
  noPoint: {
    code: 503,
    reason: 'ServiceUnavailable',
    because: 'Datadog has no point in the window: a 503 saying so (or the rule\'s noDataValue), never an empty list the HPA cannot explain',
  },
  failureStatus: {
    rejected: { code: 503, reason: 'ServiceUnavailable', because: 'a query Datadog rejects is isolated and retried alone; its 503 carries Datadog\'s error' },
  },
};

describe('custom metrics conformance (Datadog double)', () => {
  const cases = customProviderConformance(async ({ context, data }) => {
    const instance = createDatadogBackend(context, { baseUrl: double.url, refreshIntervalSeconds: 3600, ...configFor(data) }, { env: ENV });
    const extra: Array<{ close?(): unknown }> = [instance];
    const f = failingFor(context, data, extra);
    return {
      provider: instance.custom!,
      seed: (d) => double.setResolver(storeResolver(toStore(d))),
      cleanup: async () => {
        for (const i of extra) await i.close?.();
      },
      failing: { unreachable: async () => (await f.unreachable()).custom!, rejected: () => f.rejected().custom! },
    };
  }, DECLARED);
  for (const c of cases) it(c.name, c.run);
});

describe('external metrics conformance (Datadog double)', () => {
  const cases = externalProviderConformance(async ({ context, data }) => {
    const instance = createDatadogBackend(context, { baseUrl: double.url, refreshIntervalSeconds: 3600, ...configFor(data) }, { env: ENV });
    const extra: Array<{ close?(): unknown }> = [instance];
    const f = failingFor(context, data, extra);
    return {
      provider: instance.external!,
      seed: (d) => double.setResolver(storeResolver(toStore(d))),
      cleanup: async () => {
        for (const i of extra) await i.close?.();
      },
      failing: { unreachable: async () => (await f.unreachable()).external!, rejected: () => f.rejected().external! },
    };
  }, DECLARED);
  for (const c of cases) it(c.name, c.run);
});

describe('custom metrics conformance (FakeDatadogClient)', () => {
  const cases = customProviderConformance(async ({ context, data }) => {
    const client = new FakeDatadogClient();
    const instance = createDatadogBackend(context, { refreshIntervalSeconds: 3600, ...configFor(data) }, { client });
    return { provider: instance.custom!, seed: (d) => client.serve(toStore(d)), cleanup: () => instance.close?.() };
  }, DECLARED);
  for (const c of cases) it(c.name, c.run);
});

describe('external metrics conformance (FakeDatadogClient)', () => {
  const cases = externalProviderConformance(async ({ context, data }) => {
    const client = new FakeDatadogClient();
    const instance = createDatadogBackend(context, { refreshIntervalSeconds: 3600, ...configFor(data) }, { client });
    return { provider: instance.external!, seed: (d) => client.serve(toStore(d)), cleanup: () => instance.close?.() };
  }, DECLARED);
  for (const c of cases) it(c.name, c.run);
});
