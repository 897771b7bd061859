// DatadogMetric references at the backend's edge, through the real Datadog client against the
// Datadog double, with the DatadogMetric objects in core's FakeKubeLookup (the server's informer
// lookup is exercised end to end in test/backends/datadog-datadogmetric.test.ts): spec.maxAge
// replaces the backend's maxAge, spec.timeWindow the window, and what cannot be served says why.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Selector } from '@custom-metrics/core';
import type { BackendInstance, KubeObject } from '@custom-metrics/core';
import { FakeKubeLookup } from '@custom-metrics/core/testing';
import type { DatadogDouble } from '@custom-metrics/backend-datadog/testing';
import { resolveConfig } from '../src/index.js';
import { readSpec } from '../src/datadogmetric/reference.js';
import { closeAll, makeBackend, neverAborted, startDouble } from './support/harness.js';

const CRD = {
  groupResource: { group: 'datadoghq.com', resource: 'datadogmetrics' },
  gvk: { group: 'datadoghq.com', version: 'v1alpha1', kind: 'DatadogMetric' },
  namespaced: true,
};
const ddm = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({ gvk: CRD.gvk, namespace, name, labels: {}, annotations: {}, spec });
const Q = 'sum:app.queue.depth{env:prod}';

let double: DatadogDouble;
let clock = Date.now();
beforeAll(async () => {
  double = await startDouble({ resolve: (q) => (q === Q ? [{ tags: [], points: [[Math.floor(clock / 1000) * 1000 - 10_000, 12]] }] : []) });
});
afterEach(async () => {
  await closeAll();
  double.calls.length = 0;
});
afterAll(async () => {
  await double.stop();
});

const get = (instance: BackendInstance, namespace: string, metric: string) =>
  instance.external!.getExternalMetric({ namespace, metricSelector: Selector.everything(), info: { metric }, signal: neverAborted });

describe('DatadogMetric references', () => {
  it('spec.maxAge replaces the backend maxAge for that metric only', async () => {
    clock = Date.now();
    const kube = new FakeKubeLookup({
      resources: [CRD],
      objects: [ddm('apps', 'strict', { query: Q, maxAge: '1m' }), ddm('apps', 'lenient', { query: Q, timeWindow: '5m' })],
    });
    const { instance } = makeBackend(double, { maxAge: '10m' }, { now: () => clock }, kube);
    expect((await get(instance, 'apps', 'datadogmetric@apps:strict')).map((i) => i.value)).toEqual([12]);
    // Both objects share one query and window (5m): one cached answer, two maximum ages.
    expect((await get(instance, 'apps', 'datadogmetric@apps:lenient')).map((i) => i.value)).toEqual([12]);
    expect(double.calls).toHaveLength(1);
    clock += 2 * 60_000; // no refresh happens (refreshInterval is 1h in the harness)
    await expect(get(instance, 'apps', 'datadogmetric@apps:strict')).rejects.toMatchObject({ code: 503, message: expect.stringContaining('older than the maximum age of 60s') });
    expect((await get(instance, 'apps', 'datadogmetric@apps:lenient')).map((i) => i.value)).toEqual([12]);
  });

  it('allowCrossNamespace: true serves another namespace’s DatadogMetric; enabled: false makes the names unknown', async () => {
    clock = Date.now();
    const kube = new FakeKubeLookup({ resources: [CRD], objects: [ddm('shared', 'queue', { query: Q })] });
    const open = makeBackend(double, { datadogMetrics: { allowCrossNamespace: true } }, { now: () => clock }, kube).instance;
    expect((await get(open, 'apps', 'datadogmetric@shared:queue')).map((i) => [i.metricName, i.value])).toEqual([['datadogmetric@shared:queue', 12]]);
    const strict = makeBackend(double, {}, { now: () => clock }, kube).instance;
    await expect(get(strict, 'apps', 'datadogmetric@shared:queue')).rejects.toMatchObject({ code: 403 });
    const off = makeBackend(double, { datadogMetrics: { enabled: false } }, { now: () => clock }, kube).instance;
    await expect(get(off, 'shared', 'datadogmetric@shared:queue')).rejects.toMatchObject({ code: 404 });
    await off.start?.();
    expect(off.external!.listAllExternalMetrics()).toEqual([]);
  });

  it('start() lists the DatadogMetric objects for discovery', async () => {
    const kube = new FakeKubeLookup({ resources: [CRD], objects: [ddm('b', 'y', { query: Q }), ddm('a', 'x', { query: Q })] });
    const { instance } = makeBackend(double, {}, {}, kube);
    await instance.start?.();
    expect(instance.external!.listAllExternalMetrics().map((m) => m.metric)).toEqual(['datadogmetric@a:x', 'datadogmetric@b:y']);
  });

  it('Datadog rejecting spec.query is a 500 naming the object, not the Datadog answer', async () => {
    const kube = new FakeKubeLookup({ resources: [CRD], objects: [ddm('apps', 'broken', { query: 'not a query' })] });
    const { instance } = makeBackend(double, {}, {}, kube);
    const err = await get(instance, 'apps', 'datadogmetric@apps:broken').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 500, message: expect.stringContaining('Datadog rejected spec.query of DatadogMetric apps/broken') });
    expect((err as Error).message).not.toContain('Error parsing query');
  });
});

describe('readSpec', () => {
  const ref = { namespace: 'n', name: 'm' };
  it('window: timeWindow, else the larger of maxAge and the default; capped at 24h', () => {
    expect(readSpec(ref, { spec: { query: Q } }, 300)).toEqual({ query: Q, windowSeconds: 300 });
    expect(readSpec(ref, { spec: { query: Q, timeWindow: '1m' } }, 300).windowSeconds).toBe(60);
    expect(readSpec(ref, { spec: { query: Q, maxAge: '10m' } }, 300)).toEqual({ query: Q, maxAgeMs: 600_000, windowSeconds: 600 });
    expect(readSpec(ref, { spec: { query: Q, maxAge: '1m' } }, 300).windowSeconds).toBe(300);
    expect(readSpec(ref, { spec: { query: Q, timeWindow: '5m0s' } }, 300).windowSeconds).toBe(300);
    expect(readSpec(ref, { spec: { query: Q, timeWindow: '48h' } }, 300).windowSeconds).toBe(86_400);
  });

  it('refuses template variables, control characters, missing queries and bad durations with the field', () => {
    expect(() => readSpec(ref, { spec: { query: 'avg:x{key:%%env_DD_API_KEY%%}' } }, 300)).toThrow(/template variable/);
    expect(() => readSpec(ref, { spec: { query: 'avg:x{a:b}\navg:y{*}' } }, 300)).toThrow(/control character/);
    expect(() => readSpec(ref, { spec: {} }, 300)).toThrow(/DatadogMetric n\/m has no spec.query/);
    expect(() => readSpec(ref, {}, 300)).toThrow(/has no spec.query/);
    expect(() => readSpec(ref, { spec: { query: Q, timeWindow: 5 } }, 300)).toThrow(/spec.timeWindow 5 is not a duration/);
    expect(() => readSpec(ref, { spec: { query: 'x'.repeat(5000) } }, 300)).toThrow(/more than the 4096 accepted/);
  });
});

describe('config', () => {
  it('refuses an external rule named like a DatadogMetric reference', () => {
    expect(() => resolveConfig({ external: [{ name: 'datadogmetric@a:b', metric: 'x.y' }] })).toThrow(/external\[0\]\.name.*starts with datadogmetric@/);
  });
});
