import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, startProcess, tempDir, waitFor } from '../../../test-support/index.js';
import { makeKubectlClient } from '../../../test-support/kubectl-client.js';

const kubectl = requireBinary('kubectl', 'apt-get install kubectl');
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe.skipIf(!kubectl)('examples/custom-adapter queried with kubectl', () => {
  const dir = tempDir('custom-adapter');
  const queue = join(dir.path, 'queues.json');
  const setQueues = (q: Record<string, number>) => writeFileSync(queue, JSON.stringify(q));
  let proc: ReturnType<typeof startProcess> | undefined;
  let kubeconfig = '';

  const raw = (path: string): Record<string, unknown> =>
    JSON.parse(execFileSync(kubectl!, ['--kubeconfig', kubeconfig, 'get', '--raw', path], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] }));

  beforeAll(async () => {
    const port = await freePort();
    const client = makeKubectlClient(dir.path, port);
    kubeconfig = client.kubeconfig;
    setQueues({ jobs: 7, mail: 2 });
    proc = startProcess(process.execPath, [main, queue, '--port', String(port), '--cert-dir', dir.path, '--client-ca-file', client.caFile, '--namespaces', 'default,jobs']);
    await waitFor('adapter listening', async () => proc!.output().includes('listening on'), 20_000);
  }, 40_000);

  afterAll(async () => {
    await proc?.stop();
    dir.remove();
  });

  it('serves the external metric per queue, selected by label, and follows the file', () => {
    const path = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_length';
    type List = { kind: string; items: Array<{ metricName: string; metricLabels: Record<string, string>; value: string }> };
    const first = raw(path) as List;
    expect(first.kind).toBe('ExternalMetricValueList');
    expect(first.items.map((i) => [i.metricName, i.metricLabels.queue, i.value]).sort()).toEqual([['queue_length', 'jobs', '7'], ['queue_length', 'mail', '2']]);
    setQueues({ jobs: 42, mail: 2.5 });
    const jobs = raw(`${path}?labelSelector=${encodeURIComponent('queue=jobs')}`) as List;
    expect(jobs.items.map((i) => [i.metricLabels.queue, i.value])).toEqual([['jobs', '42']]);
    const mail = raw(`${path}?labelSelector=${encodeURIComponent('queue in (mail)')}`) as List;
    expect(mail.items.map((i) => [i.metricLabels.queue, i.value])).toEqual([['mail', '2500m']]);
  });

  it('serves the custom metric on namespaces (the queue named like the namespace), by name and by selector', () => {
    setQueues({ jobs: 1500, other: 9 });
    type List = { kind: string; items: Array<{ describedObject: { name: string }; value: string }> };
    const one = raw('/apis/custom.metrics.k8s.io/v1beta2/namespaces/jobs/metrics/queue_length') as List;
    expect(one.kind).toBe('MetricValueList');
    expect(one.items.map((i) => [i.describedObject.name, i.value])).toEqual([['jobs', '1500']]);
    setQueues({ jobs: 3, default: 4 });
    const all = raw('/apis/custom.metrics.k8s.io/v1beta1/namespaces/*/metrics/queue_length') as List;
    expect(all.items.map((i) => [i.describedObject.name, i.value]).sort()).toEqual([['default', '4'], ['jobs', '3']]);
  });

  it('answers 404 for a namespace without a queue', () => {
    setQueues({ jobs: 1 });
    expect(() => raw('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/metrics/queue_length')).toThrow(/NotFound|not found|404/i);
  });

  it('lists queue_length in discovery', () => {
    const list = raw('/apis/custom.metrics.k8s.io/v1beta1') as { resources: Array<{ name: string }> };
    expect(list.resources.map((r) => r.name)).toContain('namespaces/queue_length');
  });
});
