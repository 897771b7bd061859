// Flux reports a failure during execution as an `error`/`reference` table inside an HTTP 200
// answer. Through the real @influxdata/influxdb-client against the Flux double, such an answer —
// alone, or after tables of partial results — is a 503 (detail logged), never data or an empty list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetricsError, Selector } from '@custom-metrics/core';
import type { KubeObject } from '@custom-metrics/core';
import { fakeBackendContext, FakeKubeLookup } from '@custom-metrics/core/testing';
import { createInfluxBackend, type InfluxBackendConfig } from '../src/index.js';
import { isErrorTable } from '../src/client/flux-client.js';
import { annotatedCsv, errorTable, lastColumns, startFluxDouble, type FluxDouble } from './support/flux-double.js';

const NS = 'default';
const pod = (name: string): KubeObject => ({ gvk: { group: '', version: 'v1', kind: 'Pod' }, name, namespace: NS, labels: {}, annotations: {} });
const PODS = { group: '', resource: 'pods' };
const QUERY = 'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => {{objectFilter}} and {{namespaceFilter}} and {{labelMatchers}}) |> last()';
const EXTERNAL = 'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => r._measurement == "q" and {{namespaceFilter}} and {{labelMatchers}}) |> last()';
const T = '2026-01-15T10:20:30Z';
const partial = annotatedCsv(lastColumns(['namespace', 'pod']), [[['2026-01-15T10:15:30Z', '2026-01-15T10:20:31Z', T, '7', 'value', 'http_requests', NS, 'web-1']]]);

let double: FluxDouble;
beforeAll(async () => {
  double = await startFluxDouble();
});
afterAll(async () => {
  await double?.close();
});

function backend() {
  const ctx = fakeBackendContext({ kube: new FakeKubeLookup({ objects: [pod('web-1'), pod('web-2')] }) });
  const config: InfluxBackendConfig = {
    mode: 'flux',
    url: double.url,
    token: 't',
    org: 'o',
    bucket: 'k8s',
    timeoutMs: 2_000,
    cacheTtlMs: 0,
    custom: [{ resource: 'pods', metric: 'http_requests', objectTag: 'pod', query: QUERY }],
    external: [{ metric: 'q', namespaced: true, query: EXTERNAL }],
  };
  return { ctx, instance: createInfluxBackend(ctx, config) };
}

const info = { groupResource: PODS, namespaced: true, metric: 'http_requests' };
const signal = () => new AbortController().signal;

describe('Flux error tables inside a 200 answer', () => {
  it('recognises only the exact error/reference shape', () => {
    expect(isErrorTable(['', 'error', 'reference'])).toBe(true);
    expect(isErrorTable(['error', 'reference'])).toBe(true);
    expect(isErrorTable(['', 'result', 'table', '_value', 'error', 'reference'])).toBe(false);
    expect(isErrorTable(['', 'result', 'table', '_value'])).toBe(false);
  });

  for (const [name, csv] of [
    ['alone', errorTable('panic: runtime error: secret internal detail', '897')],
    ['after partial results', partial + errorTable('query terminated: secret internal detail')],
  ] as const) {
    it(`an error table ${name} is a 503 for custom and external metrics; the detail is only logged`, async () => {
      const { instance, ctx } = backend();
      double.answer(() => ({ csv }));
      const err = await instance.custom!.getMetricBySelector({ namespace: NS, selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: signal() }).catch((e: unknown) => e);
      expect(isMetricsError(err) && err.code).toBe(503);
      expect(String((err as Error).message)).not.toContain('secret');
      const byName = await instance.custom!.getMetricByName({ namespace: NS, name: 'web-1', info, metricSelector: Selector.everything(), signal: signal() }).catch((e: unknown) => e);
      expect(isMetricsError(byName) && byName.code).toBe(503);
      const ext = await instance.external!.getExternalMetric({ namespace: NS, info: { metric: 'q' }, metricSelector: Selector.everything(), signal: signal() }).catch((e: unknown) => e);
      expect(isMetricsError(ext) && ext.code).toBe(503);
      const logged = JSON.stringify(ctx.logger.records);
      expect(logged).toContain('error table in a 200 answer');
      expect(logged).toContain('secret internal detail');
      expect(instance.health!()).toMatchObject({ healthy: false });
      // The same query answered with data only is data again.
      double.answer(() => ({ csv: partial }));
      expect((await instance.custom!.getMetricBySelector({ namespace: NS, selector: Selector.everything(), info, metricSelector: Selector.everything(), signal: signal() })).map((v) => v.value)).toEqual([7]);
      await instance.close?.();
    });
  }
});
