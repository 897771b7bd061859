// `explain` with a real Prometheus behind the server: an External metric that resolves, then the
// same metric while Prometheus is down (a backend error: the 503 the HPA controller gets).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, tempDir, waitFor } from '../../test-support/index.js';
import { startExporter, type TestExporter } from '../../packages/backend-prometheus/test/support/exporter.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';
import { runCli } from '../../packages/server/src/cli/run.js';
import { startServer, type RunningServer } from '../../packages/server/src/cli/serve.js';
import type { HpaExplanation } from '../../packages/server/src/explain/engine.js';
import { KubeApiserverDouble } from '../../packages/server/test/kube/apiserver-double.js';
import { issueCert } from '../../packages/server/test/kube/certs.js';
import { writeCertKubeconfig } from '../../packages/server/test/support/kubeconfig.js';
import { createTestPki, seedCluster, writePki } from '../../packages/server/test/support/secure-server.js';

const prometheusBin = requireBinary('prometheus', 'install Prometheus (/usr/bin/prometheus) to run the explain tests with a real Prometheus');

describe.skipIf(!prometheusBin)('explain with a real Prometheus behind the server', () => {
  const dir = tempDir('explain-prom');
  let exporter: TestExporter;
  let prom: PrometheusProcess;
  let double: KubeApiserverDouble;
  let server: RunningServer;
  let clusterKubeconfig = '';
  let metricsKubeconfig = '';
  let manifest = '';

  beforeAll(async () => {
    exporter = await startExporter([{ name: 'queue_depth', labels: { queue: 'jobs' }, value: 30 }]);
    prom = await startPrometheus(prometheusBin!, exporter.port);
    double = await KubeApiserverDouble.start();
    seedCluster(double);
    double.upsert('deployments.apps', { metadata: { namespace: 'default', name: 'worker', labels: {} }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } } });
    double.sarPolicy = () => ({ allowed: true });
    const pki = createTestPki();
    const files = writePki(dir.path, pki);
    const config = join(dir.path, 'config.yaml');
    writeFileSync(
      config,
      [
        'server:',
        '  logLevel: silent',
        '  shutdownTimeoutSeconds: 2',
        'backends:',
        '  - name: prom',
        '    type: prometheus',
        '    config:',
        `      url: ${prom.url}`,
        '      timeout: 2s',
        '      cache: { ttl: 0s }',
        '      discovery: { interval: 1s }',
        '      externalRules:',
        `      - { seriesQuery: '{__name__="queue_depth"}', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)', resources: { namespaced: false } }`,
        '',
      ].join('\n'),
    );
    server = await startServer(config, {
      securePort: 0,
      bindAddress: '127.0.0.1',
      tlsCertFile: files.servingCert,
      tlsPrivateKeyFile: files.servingKey,
      kubeconfig: double.writeKubeconfig(dir.path),
      clientCaFile: files.clientCA,
      requestheaderClientCaFile: files.frontProxyCA,
      requestheaderAllowedNames: ['front-proxy-client'],
    });
    clusterKubeconfig = double.writeKubeconfig(dir.path, 'cluster.kubeconfig');
    metricsKubeconfig = writeCertKubeconfig(join(dir.path, 'metrics.kubeconfig'), `https://127.0.0.1:${server.port}`, pki.servingCA.cert, issueCert(pki.clientCA, { commonName: 'explain-user' }));
    manifest = join(dir.path, 'hpa.yaml');
    writeFileSync(
      manifest,
      [
        'apiVersion: autoscaling/v2',
        'kind: HorizontalPodAutoscaler',
        'metadata: { name: worker, namespace: default }',
        'spec:',
        '  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: worker }',
        '  minReplicas: 1',
        '  maxReplicas: 5',
        '  metrics:',
        '    - type: External',
        '      external:',
        '        metric: { name: queue_depth, selector: { matchLabels: { queue: jobs } } }',
        '        target: { type: AverageValue, averageValue: "10" }',
        '',
      ].join('\n'),
    );
  }, 120_000);

  afterAll(async () => {
    await server?.shutdown();
    await double?.close();
    await prom?.dispose();
    await exporter?.stop();
    dir.remove();
  });

  async function explain(): Promise<{ code: number; h: HpaExplanation }> {
    let stdout = '';
    const code = await runCli(['explain', '--kubeconfig', clusterKubeconfig, '--metrics-kubeconfig', metricsKubeconfig, '-f', manifest, '-o', 'json'], {
      stdout: (s) => (stdout += s),
      stderr: () => {},
    });
    return { code, h: (JSON.parse(stdout) as { hpas: HpaExplanation[] }).hpas[0] };
  }

  it('resolves the value Prometheus holds and computes the replicas; reports the backend error once Prometheus is down', async () => {
    // Discovery (1 s) and the first scrapes (1 s) must have happened.
    const ok = await waitFor('the metric to resolve through Prometheus', async () => {
      const r = await explain();
      return r.code === 0 ? r : undefined;
    }, 60_000, 500);
    const [m] = ok.h.metrics;
    expect(m.requests[0]).toBe('GET /apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth?labelSelector=queue%3Djobs');
    expect(m.values.map((v) => v.value)).toEqual(['30']);
    expect(m.proposal?.replicas).toBe(3); // ceil(30 / 10)
    expect(ok.h.decision).toMatchObject({ desired: 3, unknown: false });

    await prom.stop();
    const down = await explain();
    expect(down.code).toBe(1);
    expect(down.h.metrics[0].reason?.code).toBe('backend-error');
    expect(down.h.metrics[0].reason?.message).toMatch(/^external\.metrics\.k8s\.io\/v1beta1 answered 503: /);
  }, 120_000);
});
