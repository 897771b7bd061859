import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendPlugin } from '@custom-metrics/core';
import { influxBackend } from '@custom-metrics/backend-influx';
import { tempDir } from '../../../test-support/index.js';
import { loadConfigFile } from '../src/config/load.js';
import { startTestServer } from './support/harness.js';

// A loopback stand-in for InfluxDB's v1 /query API: records each request's headers and answers one series.
const seen: IncomingHttpHeaders[] = [];
const influx = createServer((req, res) => {
  seen.push(req.headers);
  req.resume();
  req.on('end', () =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ results: [{ statement_id: 0, series: [{ name: 'queue_depth', columns: ['time', 'last'], values: [[Date.now(), 42]] }] }] })),
  );
});
const dir = tempDir('config-secrets');
let influxUrl = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => influx.listen(0, '127.0.0.1', resolve));
  influxUrl = `http://127.0.0.1:${(influx.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => influx.close(() => resolve()));
  dir.remove();
});

const configText = (url: string) =>
  [
    'backends:',
    '  - name: influx',
    '    type: influx',
    '    config:',
    '      mode: influxql',
    `      url: \${INFLUX_URL:-${url}}`,
    '      database: k8s',
    '      token: ${INFLUX_TOKEN}',
    '      cacheTtlMs: 0',
    '      external:',
    '        - metric: queue_depth',
    '          query: SELECT last("value") FROM "queue_depth" WHERE {{labelMatchers}} AND time > now() - {{window}}',
    '',
  ].join('\n');

describe('secrets in the config file', () => {
  it('a token given as ${INFLUX_TOKEN} reaches InfluxDB in the Authorization header', async () => {
    const file = `${dir.path}/influx.yaml`;
    writeFileSync(file, configText(influxUrl));
    const config = await loadConfigFile(file, { INFLUX_TOKEN: 'tok-from-env' });
    expect(config.backends[0].config).toMatchObject({ token: 'tok-from-env', url: influxUrl });
    const server = await startTestServer({
      config: config as unknown as Record<string, unknown>,
      plugins: { '@custom-metrics/backend-influx': influxBackend as BackendPlugin },
    });
    try {
      const res = await server.getJSON('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth');
      expect(res.status, res.body).toBe(200);
      expect(res.json).toMatchObject({ kind: 'ExternalMetricValueList', items: [{ metricName: 'queue_depth', value: '42' }] });
      expect(seen.at(-1)?.authorization).toBe('Token tok-from-env');
    } finally {
      await server.close();
    }
  });

  it('an unset variable fails loading, naming the field and the variable', async () => {
    const file = `${dir.path}/unset.yaml`;
    writeFileSync(file, configText(influxUrl));
    await expect(loadConfigFile(file, {})).rejects.toThrow(`${file}: backends[0].config.token: environment variable INFLUX_TOKEN is not set`);
  });
});
