// External metrics are namespaced by default, through the real Datadog client against the Datadog
// double: an HPA in namespace `evil` never gets series tagged with namespace `other`, cannot scope
// the query to `other` with its metricSelector, and a rule opts out with `namespaced: false`.
import { describe, expect, it } from 'vitest';
import { parseSelector, Selector } from '@custom-metrics/core';
import type { BackendInstance } from '@custom-metrics/core';
import { makeBackend, neverAborted, useDouble } from './support/harness.js';

const T0 = Date.now() - 60_000;
const double = useDouble();

const get = async (instance: BackendInstance, namespace: string, metric: string, selector: Selector = Selector.everything()) =>
  (await instance.external!.getExternalMetric({ namespace, metricSelector: selector, info: { metric }, signal: neverAborted })).map((i) => [i.metricLabels, i.value]);

describe('Datadog external metrics are namespaced by default', () => {
  it('drops series tagged with another namespace; untagged series stay; namespaced: false serves all', async () => {
    double.setResolver(() => [
      { tags: ['kube_namespace:other', 'queuename:a'], points: [[T0, 1]] },
      { tags: ['kube_namespace:evil', 'queuename:b'], points: [[T0, 2]] },
      { tags: ['queuename:c'], points: [[T0, 3]] },
    ]);
    const { instance } = makeBackend(double, {
      external: [
        { name: 'depth', metric: 'q.depth', groupBy: ['kube_namespace', 'queuename'] },
        { name: 'depth_all', metric: 'q.depth', groupBy: ['kube_namespace', 'queuename'], namespaced: false },
      ],
    });
    expect(await get(instance, 'evil', 'depth')).toEqual([
      [{ kube_namespace: 'evil', queuename: 'b' }, 2],
      [{ queuename: 'c' }, 3],
    ]);
    expect((await get(instance, 'evil', 'depth_all')).map(([, v]) => v)).toEqual([1, 2, 3]);
  });

  it('a metricSelector naming another namespace on the namespace tag is a 400 before any call; the own namespace is fine', async () => {
    double.setResolver((q) => (q === 'avg:q.depth{kube_namespace:evil}' ? [{ tags: [], points: [[T0, 5]] }] : [{ tags: [], points: [[T0, 99]] }]));
    const { instance } = makeBackend(double, { external: [{ name: 'depth', metric: 'q.depth' }] });
    await expect(get(instance, 'evil', 'depth', parseSelector('kube_namespace=other'))).rejects.toMatchObject({ code: 400, message: expect.stringMatching(/namespaced.*kube_namespace=evil/) });
    await expect(get(instance, 'evil', 'depth', parseSelector('kube_namespace!=evil'))).rejects.toMatchObject({ code: 400 });
    await expect(get(instance, 'evil', 'depth', parseSelector('kube_namespace in (evil,other)'))).rejects.toMatchObject({ code: 400 });
    expect(double.calls).toHaveLength(0);
    expect(await get(instance, 'evil', 'depth', parseSelector('kube_namespace=evil'))).toEqual([[null, 5]]);
  });
});
