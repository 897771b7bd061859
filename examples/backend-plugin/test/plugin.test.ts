import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMetricsError, parseSelector, Selector } from '@custom-metrics/core';
import type { KubeObject } from '@custom-metrics/core';
import { externalProviderConformance, fakeBackendContext } from '@custom-metrics/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, startProcess, tempDir, waitFor } from '../../../test-support/index.js';
import { makeKubectlClient } from '../../../test-support/kubectl-client.js';
import envBackend from '../src/index.js';

describe('custom-metrics-backend-example: external provider conformance', () => {
  const cases = externalProviderConformance(async ({ context, data }) => {
    const series = data.external.map((s, i) => ({ name: s.metric, labels: { ...s.labels }, env: `CMS_EXAMPLE_CONFORMANCE_${i}` }));
    const instance = await envBackend.create(context, { series });
    return {
      provider: instance.external!,
      seed: (d) => d.external.forEach((s, i) => void (process.env[`CMS_EXAMPLE_CONFORMANCE_${i}`] = String(s.value))),
      cleanup: () => series.forEach((s) => delete process.env[s.env]),
    };
  });
  for (const c of cases) it(c.name, c.run);
});

describe('custom-metrics-backend-example: custom metrics on pods from pod labels', () => {
  const pod = (namespace: string, name: string, labels: Record<string, string>): KubeObject => ({
    gvk: { group: '', version: 'v1', kind: 'Pod' },
    namespace,
    name,
    labels,
    annotations: {},
  });
  const objects = [
    pod('work', 'a', { app: 'worker', 'example.com/slots': '4' }),
    pod('work', 'b', { app: 'worker', 'example.com/slots': '2.5' }),
    pod('work', 'c', { app: 'worker', 'example.com/slots': 'many' }),
    pod('work', 'd', { app: 'web' }),
    pod('other', 'e', { app: 'worker', 'example.com/slots': '9' }),
  ];
  const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'worker_slots' };
  const signal = new AbortController().signal;
  const provider = async () => {
    const instance = await envBackend.create(fakeBackendContext({ objects }), { podLabelMetrics: [{ metric: 'worker_slots', label: 'example.com/slots' }] });
    expect(instance.external).toBeUndefined();
    return instance.custom!;
  };
  const code = async (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (isMetricsError(e) ? e.code : -1));

  it('lists the metric on pods', async () => {
    expect((await provider()).listAllMetrics()).toEqual([info]);
  });

  it('answers one pod by name from its label, 404 for a pod without a numeric label', async () => {
    const p = await provider();
    const one = await p.getMetricByName({ namespace: 'work', name: 'a', info, metricSelector: Selector.everything(), signal });
    expect([one.describedObject, one.value]).toEqual([{ kind: 'Pod', namespace: 'work', name: 'a', apiVersion: '/v1' }, 4]);
    for (const name of ['c', 'd', 'missing']) expect(await code(p.getMetricByName({ namespace: 'work', name, info, metricSelector: Selector.everything(), signal }))).toBe(404);
    expect(await code(p.getMetricByName({ namespace: 'work', name: 'a', info: { ...info, metric: 'other' }, metricSelector: Selector.everything(), signal }))).toBe(404);
  });

  it('answers pods by selector within the namespace, skipping pods without a value', async () => {
    const p = await provider();
    const list = await p.getMetricBySelector({ namespace: 'work', selector: parseSelector('app=worker'), info, metricSelector: Selector.everything(), signal });
    expect(list.map((v) => [v.describedObject.name, v.value])).toEqual([['a', 4], ['b', 2.5]]);
    const none = await p.getMetricBySelector({ namespace: 'work', selector: Selector.everything(), info, metricSelector: parseSelector('verb=GET'), signal });
    expect(none).toEqual([]);
  });
});

const kubectl = requireBinary('kubectl', 'apt-get install kubectl');
const serverMain = fileURLToPath(new URL('../../../packages/server/dist/cli/main.js', import.meta.url));

describe.skipIf(!kubectl)('the server loads custom-metrics-backend-example by package name', () => {
  const dir = tempDir('backend-plugin');
  let proc: ReturnType<typeof startProcess> | undefined;
  let kubeconfig = '';
  const raw = (path: string) => JSON.parse(execFileSync(kubectl!, ['--kubeconfig', kubeconfig, 'get', '--raw', path], { encoding: 'utf8', timeout: 15_000 })) as Record<string, unknown>;

  beforeAll(async () => {
    const port = await freePort();
    const client = makeKubectlClient(dir.path, port);
    kubeconfig = client.kubeconfig;
    const config = join(dir.path, 'config.yaml');
    writeFileSync(
      config,
      [
        'backends:',
        '  - name: env',
        '    type: custom-metrics-backend-example',
        '    config:',
        '      series:',
        '        - { name: build_queue, env: EXAMPLE_BUILD_QUEUE, labels: { pool: linux } }',
        '        - { name: build_queue, env: EXAMPLE_BUILD_QUEUE_MAC, labels: { pool: mac } }',
        '      podLabelMetrics:',
        '        - { metric: worker_slots, label: example.com/slots }',
        'standalone:',
        '  objects:',
        "    - { resource: pods, namespace: work, name: worker-1, labels: { app: worker, example.com/slots: '4' } }",
        "    - { resource: pods, namespace: work, name: worker-2, labels: { app: worker, example.com/slots: '6' } }",
        '    - { resource: pods, namespace: work, name: web-1, labels: { app: web } }',
        '',
      ].join('\n'),
    );
    proc = startProcess(
      process.execPath,
      [serverMain, 'serve', '--config', config, '--standalone', '--secure-port', String(port), '--bind-address', '127.0.0.1', '--cert-dir', dir.path, '--client-ca-file', client.caFile],
      { env: { ...process.env, EXAMPLE_BUILD_QUEUE: '12', EXAMPLE_BUILD_QUEUE_MAC: '2.5' } },
    );
    await waitFor('server serving', async () => proc!.output().includes('serving'), 20_000);
  }, 40_000);

  afterAll(async () => {
    await proc?.stop();
    dir.remove();
  });

  it('serves the plugin metric, selected by labels', () => {
    const base = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/build_queue';
    const all = raw(base) as { items: Array<{ metricLabels: Record<string, string>; value: string }> };
    expect(all.items.map((i) => [i.metricLabels.pool, i.value]).sort()).toEqual([['linux', '12'], ['mac', '2500m']]);
    const mac = raw(`${base}?labelSelector=${encodeURIComponent('pool=mac')}`) as typeof all;
    expect(mac.items.map((i) => i.value)).toEqual(['2500m']);
    const list = raw('/apis/external.metrics.k8s.io/v1beta1') as { resources: Array<{ name: string }> };
    expect(list.resources.map((r) => r.name)).toContain('build_queue');
  });

  it('serves the custom pods metric from the standalone pods\' labels', () => {
    const list = raw(`/apis/custom.metrics.k8s.io/v1beta2/namespaces/work/pods/*/worker_slots?labelSelector=${encodeURIComponent('app=worker')}`) as {
      kind: string;
      items: Array<{ describedObject: { name: string }; value: string }>;
    };
    expect(list.kind).toBe('MetricValueList');
    expect(list.items.map((i) => [i.describedObject.name, i.value])).toEqual([['worker-1', '4'], ['worker-2', '6']]);
    const one = raw('/apis/custom.metrics.k8s.io/v1beta1/namespaces/work/pods/worker-2/worker_slots') as typeof list;
    expect(one.items.map((i) => i.value)).toEqual(['6']);
  });
});
