import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { externalProviderConformance } from '@custom-metrics/core/testing';
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
});
