// Secrets against a real influxd 1.x with authentication on: a password from `passwordFile` is
// re-read after the file changes (the rotation influxd enforces), and a password given in the
// server's config file as ${INFLUX_PASSWORD} reaches influxd.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetricsError, Selector, type BackendPlugin } from '@custom-metrics/core';
import { fakeBackendContext } from '@custom-metrics/core/testing';
import { createInfluxBackend, influxBackend } from '@custom-metrics/backend-influx';
import { requireBinary, tempDir } from '../../test-support/index.js';
import { loadConfigFile } from '../../packages/server/src/config/load.js';
import { startTestServer } from '../../packages/server/test/support/harness.js';
import { lpLine, startInfluxd, type Influxd } from '../../packages/backend-influx/test/support/influxd.js';

const influxdBin = requireBinary('influxd', 'apt-get install influxdb');
const DB = 'metrics';
const QUERY = 'SELECT last("value") FROM "queue_depth" WHERE {{labelMatchers}} AND time > now() - {{window}}';

describe.skipIf(!influxdBin)('secrets against influxd with auth-enabled', () => {
  const auth = { username: 'admin', password: 'pw-one' };
  const dir = tempDir('influxd-auth');
  let influx: Influxd;

  beforeAll(async () => {
    influx = await startInfluxd(influxdBin as string, { auth });
    await influx.exec(`CREATE DATABASE "${DB}"`);
    await influx.write(DB, [lpLine('queue_depth', { queue: 'orders' }, 42, Date.now() - 2_000)]);
  });
  afterAll(async () => {
    await influx?.dispose();
    dir.remove();
  });

  it('re-reads passwordFile after it changes: the rotated password is used on the next query', async () => {
    const file = join(dir.path, 'password');
    writeFileSync(file, `${auth.password}\n`);
    const instance = createInfluxBackend(fakeBackendContext(), {
      mode: 'influxql',
      url: influx.url,
      database: DB,
      username: auth.username,
      passwordFile: file,
      cacheTtlMs: 0,
      external: [{ metric: 'queue_depth', query: QUERY }],
    });
    const ask = () => instance.external!.getExternalMetric({ namespace: 'default', metricSelector: Selector.everything(), info: { metric: 'queue_depth' }, signal: new AbortController().signal });
    expect((await ask()).map((v) => v.value)).toEqual([42]);

    await influx.exec(`SET PASSWORD FOR "${auth.username}" = 'pw-two-rotated'`);
    auth.password = 'pw-two-rotated';
    // influxd now refuses the old password the file still holds.
    const refused = await ask().catch((e: unknown) => e);
    expect(isMetricsError(refused)).toBe(true);

    writeFileSync(file, 'pw-two-rotated\n');
    expect((await ask()).map((v) => v.value)).toEqual([42]);
  });

  it('a password given as ${INFLUX_PASSWORD} in the server config reaches influxd', async () => {
    const file = join(dir.path, 'config.yaml');
    writeFileSync(
      file,
      [
        'backends:',
        '  - name: influx',
        '    type: influx',
        '    config:',
        '      mode: influxql',
        `      url: ${influx.url}`,
        `      database: ${DB}`,
        '      username: ${INFLUX_USER:-admin}',
        '      password: ${INFLUX_PASSWORD}',
        '      cacheTtlMs: 0',
        '      external:',
        `        - { metric: queue_depth, query: '${QUERY}' }`,
        '',
      ].join('\n'),
    );
    const run = async (password: string) => {
      const config = await loadConfigFile(file, { INFLUX_PASSWORD: password });
      const server = await startTestServer({ config: config as unknown as Record<string, unknown>, plugins: { '@custom-metrics/backend-influx': influxBackend as BackendPlugin } });
      try {
        return await server.getJSON('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth');
      } finally {
        await server.close();
      }
    };
    const ok = await run(auth.password);
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json).toMatchObject({ kind: 'ExternalMetricValueList', items: [{ metricName: 'queue_depth', value: '42' }] });
    // The control: a wrong password is refused by influxd (a Status, not a crash).
    const refused = await run('not-the-password');
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ kind: 'Status', code: 503 });
  });
});
