// Through the real server binary (standalone, client-certificate authentication) and kubectl:
// - external metrics are namespaced by default (a security property): the scrape backend over a
//   real loopback exporter and the InfluxDB backend over a real influxd serve an HPA's namespace
//   only the series of that namespace (scrape: and series without a namespace label), even when
//   the rule's query does not filter (InfluxQL against influxd, Flux against the Flux double);
//   `namespaced: false` opts a rule out;
// - an error table inside a Flux 200 answer (alone, or after partial results), sent by the Flux
//   double, is a 503 Status with a generic message — the detail is only logged — never data.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, textHandler, type TestExporter } from '@custom-metrics/backend-scrape/testing';
import { requireBinary, tempDir, waitFor } from '../../test-support/index.js';
import { lpLine, startInfluxd, type Influxd } from '../../packages/backend-influx/test/support/influxd.js';
import { annotatedCsv, errorTable, lastColumns, startFluxDouble, type FluxDouble } from '../../packages/backend-influx/test/support/flux-double.js';
import { startChildServer, type ChildServer } from '../../packages/server/test/support/child-server.js';

const influxdBin = requireBinary('influxd', 'apt-get install influxdb');
const kubectlBin = requireBinary('kubectl', 'install kubectl: https://kubernetes.io/docs/tasks/tools/');
const DB = 'metrics';
const EXT = '/apis/external.metrics.k8s.io/v1beta1/namespaces';

interface ExternalList {
  items: Array<{ metricLabels?: Record<string, string> | null; value: string }>;
}

describe.skipIf(!influxdBin || !kubectlBin)('external metrics namespaced by default, and Flux error tables, through the server binary and kubectl', () => {
  const dir = tempDir('external-namespaced-server');
  let exporter: TestExporter;
  let influx: Influxd;
  let flux: FluxDouble;
  let server: ChildServer;

  beforeAll(async () => {
    exporter = await startExporter(
      textHandler(() => ['# TYPE jobs gauge', 'jobs{queue="orders",namespace="team-a"} 5', 'jobs{queue="mail",namespace="team-b"} 2', 'jobs{queue="global"} 9', ''].join('\n')),
    );
    influx = await startInfluxd(influxdBin as string);
    await influx.exec(`CREATE DATABASE "${DB}"`);
    const t = Date.now() - 2_000;
    await influx.write(DB, [
      lpLine('queue_depth', { namespace: 'team-a', queue: 'orders' }, 42, t),
      lpLine('queue_depth', { namespace: 'team-b', queue: 'mail' }, 7, t),
    ]);
    flux = await startFluxDouble();
    // A query without {{namespaceFilter}}: influxd answers every namespace's rows.
    const unfiltered = 'SELECT last(\\"value\\") FROM \\"queue_depth\\" WHERE time > now() - {{window}} GROUP BY *';
    server = await startChildServer(dir.path, [
      'backends:',
      '  - name: scrape',
      '    type: scrape',
      '    config:',
      '      objects: targets',
      '      interval: 200ms',
      `      targets: [{ url: "${exporter.url}" }]`,
      '      rules:',
      '        - { metric: jobs, series: jobs, function: last, kind: external }',
      '        - { metric: jobs_everywhere, series: jobs, function: last, kind: external, namespaced: false }',
      '  - name: influx',
      '    type: influx',
      '    config:',
      '      mode: influxql',
      `      url: ${influx.url}`,
      `      database: ${DB}`,
      '      cacheTtlMs: 0',
      '      external:',
      `        - { metric: queue_depth, query: "${unfiltered}" }`,
      `        - { metric: queue_depth_everywhere, namespaced: false, query: "${unfiltered}" }`,
      '  - name: flux',
      '    type: influx',
      '    config:',
      '      mode: flux',
      `      url: ${flux.url}`,
      '      token: t',
      '      org: o',
      '      bucket: k8s',
      '      cacheTtlMs: 0',
      '      external:',
      '        - { metric: flux_queue, query: \'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => r._measurement == "q" and {{namespaceFilter}}) |> last()\' }',
      // No {{namespaceFilter}}: the answer may hold every namespace's rows.
      '        - { metric: flux_jobs, query: \'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => r._measurement == "jobs") |> last()\' }',
      '        - { metric: flux_jobs_everywhere, namespaced: false, query: \'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => r._measurement == "jobs") |> last()\' }',
    ]);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await flux?.close();
    await influx?.dispose();
    await exporter?.close();
    dir.remove();
  });

  const kubectl = (path: string): Promise<ExternalList> =>
    new Promise((resolve, reject) => {
      execFile(kubectlBin as string, ['--kubeconfig', server.kubeconfig, 'get', '--raw', path], { env: { PATH: process.env.PATH ?? '', HOME: dir.path }, timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`kubectl get --raw ${path}: ${stderr}`)) : resolve(JSON.parse(stdout) as ExternalList),
      );
    });
  const values = async (path: string) => (await kubectl(path)).items.map((i) => `${i.metricLabels?.queue}=${i.value}`).sort();

  it('scrape: a namespace reads its own series and those without a namespace label; namespaced: false reads all', async () => {
    await waitFor('the first scrape', async () => (await server.get(`${EXT}/x/jobs_everywhere`)).body.includes('"global"'), 20_000, 200);
    expect(await values(`${EXT}/team-a/jobs`)).toEqual(['global=9', 'orders=5']);
    expect(await values(`${EXT}/evil/jobs`)).toEqual(['global=9']);
    // A metricSelector naming another namespace does not widen the view.
    expect(await values(`${EXT}/evil/jobs?labelSelector=namespace%3Dteam-a`)).toEqual([]);
    expect(await values(`${EXT}/evil/jobs_everywhere`)).toEqual(['global=9', 'mail=2', 'orders=5']);
  }, 60_000);

  it('InfluxDB: a rule without `namespaced` serves only the asking namespace, even from a query that does not filter; namespaced: false reads all', async () => {
    expect(await values(`${EXT}/team-a/queue_depth`)).toEqual(['orders=42']);
    expect(await values(`${EXT}/evil/queue_depth`)).toEqual([]);
    expect(await values(`${EXT}/evil/queue_depth?labelSelector=namespace%3Dteam-b`)).toEqual([]);
    expect(await values(`${EXT}/evil/queue_depth_everywhere`)).toEqual(['mail=7', 'orders=42']);
  }, 60_000);

  it('InfluxDB Flux: a rule without `namespaced` keeps only the asking namespace\'s rows of an unfiltered answer; namespaced: false keeps all', async () => {
    const row = (ns: string, queue: string, v: string) => ['2026-01-15T10:15:30Z', '2026-01-15T10:20:31Z', '2026-01-15T10:20:30Z', v, 'value', 'jobs', ns, queue];
    flux.answer(() => ({ csv: annotatedCsv(lastColumns(['namespace', 'queue']), [[row('team-a', 'orders', '4')], [row('team-b', 'mail', '6')]]) }));
    expect(await values(`${EXT}/team-a/flux_jobs`)).toEqual(['orders=4']);
    expect(await values(`${EXT}/evil/flux_jobs`)).toEqual([]);
    expect(await values(`${EXT}/evil/flux_jobs_everywhere`)).toEqual(['mail=6', 'orders=4']);
  }, 60_000);

  it('Flux: an error table in a 200 answer, alone or after partial results, is a 503 Status (detail only logged), never data', async () => {
    const partial = annotatedCsv(lastColumns(['namespace', 'queue']), [[['2026-01-15T10:15:30Z', '2026-01-15T10:20:31Z', '2026-01-15T10:20:30Z', '3', 'value', 'q', 'team-a', 'orders']]]);
    for (const csv of [errorTable('panic: secret internal detail', '897'), partial + errorTable('query terminated: secret internal detail')]) {
      flux.answer(() => ({ csv }));
      const res = await server.get(`${EXT}/team-a/flux_queue`);
      expect(res.status, res.body).toBe(503);
      const status = JSON.parse(res.body) as { kind: string; code: number; message: string };
      expect(status).toMatchObject({ kind: 'Status', code: 503 });
      expect(status.message).not.toContain('secret');
    }
    await waitFor('the detail in the log', async () => server.output().includes('secret internal detail'), 10_000);
    // The same answer without the error table is data again.
    flux.answer(() => ({ csv: partial }));
    expect(await values(`${EXT}/team-a/flux_queue`)).toEqual(['orders=3']);
  }, 60_000);
});
