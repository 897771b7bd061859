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
  const queue = join(dir.path, 'queue-length');
  let proc: ReturnType<typeof startProcess> | undefined;
  let kubeconfig = '';

  const raw = (path: string): Record<string, unknown> =>
    JSON.parse(execFileSync(kubectl!, ['--kubeconfig', kubeconfig, 'get', '--raw', path], { encoding: 'utf8', timeout: 15_000 }));

  beforeAll(async () => {
    const port = await freePort();
    const client = makeKubectlClient(dir.path, port);
    kubeconfig = client.kubeconfig;
    writeFileSync(queue, '7\n');
    proc = startProcess(process.execPath, [main, queue, '--port', String(port), '--cert-dir', dir.path, '--client-ca-file', client.caFile, '--namespaces', 'default,jobs']);
    await waitFor('adapter listening', async () => proc!.output().includes('listening on'), 20_000);
  }, 40_000);

  afterAll(async () => {
    await proc?.stop();
    dir.remove();
  });

  it('serves the external metric and follows the file', () => {
    const path = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_length';
    const first = raw(path) as { kind: string; items: Array<{ metricName: string; value: string }> };
    expect(first.kind).toBe('ExternalMetricValueList');
    expect(first.items.map((i) => [i.metricName, i.value])).toEqual([['queue_length', '7']]);
    writeFileSync(queue, '42\n');
    const second = raw(path) as typeof first;
    expect(second.items[0].value).toBe('42');
  });

  it('serves the custom metric on namespaces, by name and by selector', () => {
    writeFileSync(queue, '1500\n');
    const one = raw('/apis/custom.metrics.k8s.io/v1beta2/namespaces/jobs/metrics/queue_length') as { kind: string; items: Array<{ describedObject: { name: string }; value: string }> };
    expect(one.kind).toBe('MetricValueList');
    expect(one.items.map((i) => [i.describedObject.name, i.value])).toEqual([['jobs', '1500']]);
    writeFileSync(queue, '3\n');
    const all = raw('/apis/custom.metrics.k8s.io/v1beta1/namespaces/*/metrics/queue_length') as typeof one;
    expect(all.items.map((i) => [i.describedObject.name, i.value]).sort()).toEqual([['default', '3'], ['jobs', '3']]);
  });

  it('lists queue_length in discovery', () => {
    const list = raw('/apis/custom.metrics.k8s.io/v1beta1') as { resources: Array<{ name: string }> };
    expect(list.resources.map((r) => r.name)).toContain('namespaces/queue_length');
  });
});
