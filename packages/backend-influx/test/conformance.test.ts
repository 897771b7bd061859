// Core's provider conformance kit against the InfluxQL providers and a real influxd 1.x.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { customProviderConformance, externalProviderConformance } from '@custom-metrics/core/testing';
import type { ConformanceData } from '@custom-metrics/core/testing';
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

function lines(data: ConformanceData): string[] {
  const t = data.timestamp.getTime();
  return [
    ...data.custom.map((s) =>
      lpLine(
        s.info.metric,
        { ...s.labels, ...(s.object.namespace ? { namespace: s.object.namespace } : {}), [OBJECT_TAG[s.info.groupResource.resource]]: s.object.name },
        s.value,
        t,
      ),
    ),
    ...data.external.map((s) => lpLine(s.metric, s.labels, s.value, t)),
  ];
}

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
