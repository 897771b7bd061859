// Core's provider conformance kit against the InfluxQL providers, twice: over the fake client
// (FakeInfluxClient.serve evaluates the same queries over stored points; runs everywhere) and over
// a real influxd 1.x.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { customProviderConformance, externalProviderConformance } from '@custom-metrics/core/testing';
import type { ConformanceData } from '@custom-metrics/core/testing';
import { FakeInfluxClient } from '@custom-metrics/backend-influx/testing';
import type { FakeInfluxPoint } from '@custom-metrics/backend-influx/testing';
import { freePort, requireBinary } from '../../../test-support/index.js';
import { createInfluxBackend, type InfluxBackendConfig } from '../src/index.js';
import { lpLine, startInfluxd, type Influxd } from './support/influxd.js';

const bin = requireBinary('influxd', 'apt-get install influxdb');
const DB = 'conformance';

/** The tag naming the object, per resource, as the seeded points carry it. */
const OBJECT_TAG: Record<string, string> = { pods: 'pod', deployments: 'deployment', nodes: 'node' };

const customQuery = (measurement: string, namespaced: boolean) =>
  `SELECT last("value") FROM "${measurement}" WHERE {{objectFilter}}${namespaced ? ' AND {{namespaceFilter}}' : ''} AND {{labelMatchers}} AND time > now() - {{window}} GROUP BY {{objectTag}}`;

function config(url: string): InfluxBackendConfig {
  const plain = 'conformance_queue_length';
  const labelled = 'conformance_requests';
  return {
    mode: 'influxql',
    url,
    database: DB,
    timeoutMs: 5_000,
    cacheTtlMs: 0,
    window: '10m',
    custom: [
      { resource: 'pods', metric: plain, objectTag: 'pod', query: customQuery(plain, true) },
      { resource: 'pods', metric: labelled, objectTag: 'pod', query: customQuery(labelled, true) },
      { resource: 'deployments.apps', metric: plain, objectTag: 'deployment', query: customQuery(plain, true) },
      { resource: 'nodes', metric: plain, objectTag: 'node', query: customQuery(plain, false) },
    ],
    external: [
      {
        metric: 'conformance_Queue_Messages',
        namespaced: true,
        query: 'SELECT last("value") FROM "conformance_Queue_Messages" WHERE {{namespaceFilter}} AND {{labelMatchers}} AND time > now() - {{window}} GROUP BY *',
      },
    ],
  };
}

/** A config influxd refuses to run: InfluxQL only orders by time, so every query is a statement error. */
function rejecting(url: string): InfluxBackendConfig {
  const c = config(url);
  return {
    ...c,
    custom: c.custom!.map((r) => ({ ...r, query: `${r.query} ORDER BY value` })),
    external: c.external!.map((r) => ({ ...r, query: `${r.query} ORDER BY value` })),
  };
}

/** Nothing listens on a fresh free port: the connection is refused. */
const closedUrl = async () => `http://127.0.0.1:${await freePort()}`;

/** The kit's data as points: measurement = metric, the object tied by tag. */
function points(data: ConformanceData): FakeInfluxPoint[] {
  const time = data.timestamp.getTime();
  return [
    ...data.custom.map((s) => ({
      measurement: s.info.metric,
      tags: { ...s.labels, ...(s.object.namespace ? { namespace: s.object.namespace } : {}), [OBJECT_TAG[s.info.groupResource.resource]]: s.object.name },
      value: s.value,
      time,
    })),
    ...data.external.map((s) => ({ measurement: s.metric, tags: { ...s.labels }, value: s.value, time })),
  ];
}

const lines = (data: ConformanceData): string[] => points(data).map((p) => lpLine(p.measurement, p.tags, p.value, p.time));

describe('conformance: InfluxQL providers over FakeInfluxClient', () => {
  const setup = (context: Parameters<typeof createInfluxBackend>[0]) => {
    const client = new FakeInfluxClient();
    const instance = createInfluxBackend(context, config('http://127.0.0.1:1'), { client });
    return { instance, seed: (data: ConformanceData) => client.serve(points(data)) };
  };
  describe('custom', () => {
    for (const c of customProviderConformance(async ({ context }) => {
      const { instance, seed } = setup(context);
      return { provider: instance.custom!, seed };
    })) {
      it(c.name, c.run);
    }
  });
  describe('external', () => {
    for (const c of externalProviderConformance(async ({ context }) => {
      const { instance, seed } = setup(context);
      return { provider: instance.external!, seed };
    })) {
      it(c.name, c.run);
    }
  });
});

describe.skipIf(!bin)('conformance: InfluxQL providers on a real influxd', () => {
  let influx: Influxd;
  beforeAll(async () => {
    influx = await startInfluxd(bin!);
    await influx.exec(`CREATE DATABASE "${DB}"`);
  });
  afterAll(async () => {
    await influx?.dispose();
  });

  describe('custom', () => {
    for (const c of customProviderConformance(async ({ context }) => ({
      provider: createInfluxBackend(context, config(influx.url)).custom!,
      seed: (data) => influx.write(DB, lines(data)),
      failing: {
        unreachable: async () => createInfluxBackend(context, config(await closedUrl())).custom!,
        rejected: () => createInfluxBackend(context, rejecting(influx.url)).custom!,
      },
    }))) {
      it(c.name, c.run);
    }
  });

  describe('external', () => {
    for (const c of externalProviderConformance(async ({ context }) => ({
      provider: createInfluxBackend(context, config(influx.url)).external!,
      seed: (data) => influx.write(DB, lines(data)),
      failing: {
        unreachable: async () => createInfluxBackend(context, config(await closedUrl())).external!,
        rejected: () => createInfluxBackend(context, rejecting(influx.url)).external!,
      },
    }))) {
      it(c.name, c.run);
    }
  });
});
