// `custom-metrics-server explain` end to end: the real server over TLS (memory backend) read
// through a kubeconfig with a client certificate, the kube-apiserver double as the cluster (HPAs,
// Deployments, pods, SubjectAccessReviews). One case per `<unknown>` reason.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/index.js';
import { runCli } from '../src/cli/run.js';
import { runExplain, type ExplainOptions } from '../src/cli/explain.js';
import type { RunningServer } from '../src/cli/serve.js';
import type { HpaExplanation } from '../src/explain/engine.js';
import { DEFAULT_RESOURCES, KubeApiserverDouble, type KubeJSON } from './kube/apiserver-double.js';
import { issueCert } from './kube/certs.js';
import { writeCertKubeconfig } from './support/kubeconfig.js';
import { createTestPki, seedCluster, startSecureServer, type TestPki } from './support/secure-server.js';

const HPA_SA = 'system:serviceaccount:kube-system:horizontal-pod-autoscaler';

/** An autoscaling/v2 HPA manifest for Deployment `target`. */
function hpaManifest(name: string, target: string, metrics: unknown[], extra: { minReplicas?: number; maxReplicas?: number } = {}): KubeJSON & Record<string, unknown> {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { namespace: 'default', name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: extra.minReplicas ?? 1, maxReplicas: extra.maxReplicas ?? 10, metrics },
  };
}

const podsMetric = (name: string, averageValue: string) => ({ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue } } });

describe('explain against the real server (memory backend) and the kube-apiserver double', () => {
  const dir = tempDir('explain');
  let double: KubeApiserverDouble;
  let pki: TestPki;
  let server: RunningServer;
  let clusterKubeconfig = '';
  let metricsKubeconfig = '';
  let denyHpaController = false;

  const pod = (name: string, labels: Record<string, string>): KubeJSON => ({
    metadata: { namespace: 'default', name, labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', resources: { requests: { cpu: '100m' } } }] },
    status: { podIP: '10.0.0.2', phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  const deployment = (name: string, app: string, replicas: number): KubeJSON => ({
    metadata: { namespace: 'default', name, labels: { app } },
    spec: { replicas, selector: { matchLabels: { app } } },
  });

  beforeAll(async () => {
    double = await KubeApiserverDouble.start([
      ...DEFAULT_RESOURCES,
      { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true },
    ]);
    seedCluster(double);
    // web: 2 pods (web-1, web-2); ghost: no pods; api: one pod (api-1) no backend has values for.
    double.upsert('pods', pod('web-1', { app: 'web' }));
    double.upsert('pods', pod('web-2', { app: 'web' }));
    double.upsert('pods', pod('api-1', { app: 'api' }));
    double.upsert('deployments.apps', deployment('web', 'web', 2));
    double.upsert('deployments.apps', deployment('ghost', 'ghost', 1));
    double.upsert('deployments.apps', deployment('api', 'api', 1));
    double.sarPolicy = (spec) => ({ allowed: spec.user === 'explain-user' || (spec.user === HPA_SA && !denyHpaController), reason: spec.user === HPA_SA ? 'no RBAC policy matched' : undefined });
    pki = createTestPki();
    server = await startSecureServer(dir.path, double, pki, {
      clientCaFile: join(dir.path, 'client-ca.crt'),
      requestheaderClientCaFile: join(dir.path, 'front-proxy-ca.crt'),
      requestheaderAllowedNames: ['front-proxy-client'],
    });
    clusterKubeconfig = double.writeKubeconfig(dir.path, 'cluster.kubeconfig');
    const client = issueCert(pki.clientCA, { commonName: 'explain-user', organizations: ['explainers'] });
    metricsKubeconfig = writeCertKubeconfig(join(dir.path, 'metrics.kubeconfig'), `https://127.0.0.1:${server.port}`, pki.servingCA.cert, client);
  });

  afterAll(async () => {
    await server?.shutdown();
    await double?.close();
    dir.remove();
  });

  let files = 0;
  function manifestFile(...hpas: unknown[]): string {
    const file = join(dir.path, `hpa-${++files}.yaml`);
    writeFileSync(file, hpas.map((h) => JSON.stringify(h)).join('\n---\n'));
    return file;
  }

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['explain', '--kubeconfig', clusterKubeconfig, '--metrics-kubeconfig', metricsKubeconfig, ...args], {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
    });
    return { code, stdout, stderr };
  }

  async function explainJSON(args: string[]): Promise<{ code: number; hpas: HpaExplanation[] }> {
    const r = await cli([...args, '-o', 'json']);
    expect(r.stderr).toBe('');
    return { code: r.code, hpas: (JSON.parse(r.stdout) as { hpas: HpaExplanation[] }).hpas };
  }

  it('every metric resolves: the requests the HPA controller makes, values, targets and the desired count (exit 0)', async () => {
    const file = manifestFile(
      hpaManifest('web', 'web', [
        podsMetric('http_requests', '2'),
        { type: 'Object', object: { describedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, metric: { name: 'replicas_wanted' }, target: { type: 'Value', value: '2' } } },
        { type: 'External', external: { metric: { name: 'queue_messages_ready', selector: { matchLabels: { queue: 'worker_tasks' } } }, target: { type: 'AverageValue', averageValue: '10' } } },
      ]),
    );
    const { code, hpas } = await explainJSON(['-f', file]);
    expect(code).toBe(0);
    const [h] = hpas;
    expect(h.ok).toBe(true);
    expect(h.scaleTarget).toMatchObject({ ref: 'Deployment/web', selector: 'app=web', replicas: 2 });
    const [pods, object, external] = h.metrics;
    expect(pods.requests[0]).toBe('GET /apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/%2A/http_requests?labelSelector=app%3Dweb');
    expect(pods.values.map((v) => [v.object, v.value])).toEqual([
      ['Pod default/web-1', '3'],
      ['Pod default/web-2', '3'],
    ]);
    expect(pods.proposal).toMatchObject({ replicas: 3, usageRatio: 1.5 }); // 3 / 2 × 2 pods
    expect(object.requests[0]).toBe('GET /apis/custom.metrics.k8s.io/v1beta1/namespaces/default/deployments.apps/web/replicas_wanted');
    expect(object.proposal).toMatchObject({ replicas: 4, usageRatio: 2 }); // 4 / 2 × 2 ready pods
    expect(external.requests[0]).toBe('GET /apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker_tasks');
    expect(external.values.map((v) => v.value)).toEqual(['42']);
    expect(external.proposal).toMatchObject({ replicas: 5 }); // ceil(42 / 10)
    expect(external.current).toBe('21');
    expect(h.decision).toMatchObject({ desired: 5, unknown: false });
    // The access check ran for the HPA controller's identity.
    expect(pods.requests[1]).toContain(HPA_SA);

    const text = await cli(['-f', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('HPA default/web -> Deployment/web (selector "app=web", 2 replicas)');
    expect(text.stdout).toContain('current 3, usage ratio 1.500 -> 3 replicas');
    expect(text.stdout).toContain('desired replicas: 5 (scale from 2 to 5)');
    expect(text.stdout).toContain('OK: every metric resolves');
  });

  it('the metrics API group missing from discovery (the metrics kubeconfig points at a cluster without the APIService)', async () => {
    const file = manifestFile(hpaManifest('web', 'web', [podsMetric('http_requests', '2')]));
    let stdout = '';
    const code = await runCli(['explain', '--kubeconfig', clusterKubeconfig, '-f', file], { stdout: (s) => (stdout += s), stderr: () => {} });
    expect(code).toBe(1);
    expect(stdout).toContain('<unknown> [api-unavailable] custom.metrics.k8s.io is not in discovery');
    expect(stdout).toContain('kubectl get apiservice v1beta2.custom.metrics.k8s.io');
    expect(stdout).toContain('see docs/troubleshooting.md#api-unavailable');
  });

  it('a metric no backend lists, with the closest listed names', async () => {
    const { code, hpas } = await explainJSON(['-f', manifestFile(hpaManifest('web', 'web', [podsMetric('http_request', '2'), podsMetric('http_requests', '2')]))]);
    expect(code).toBe(1);
    const [bad, good] = hpas[0].metrics;
    expect(bad.reason?.code).toBe('metric-not-listed');
    expect(bad.reason?.message).toContain('no backend lists metric "pods/http_request" in custom.metrics.k8s.io/v1beta1'); // the version discovery prefers, as the HPA controller's client picks it
    expect(bad.reason?.message).toContain('closest listed: pods/http_requests');
    expect(good.reason).toBeUndefined();
    // One metric failing and the other asking for 3: the controller still scales up.
    expect(hpas[0].decision).toMatchObject({ desired: 3, unknown: true });
  });

  it('the scale target\'s selector matching no pod', async () => {
    const { code, hpas } = await explainJSON(['-f', manifestFile(hpaManifest('ghost', 'ghost', [podsMetric('http_requests', '2')]))]);
    expect(code).toBe(1);
    expect(hpas[0].metrics[0].reason).toMatchObject({ code: 'no-matching-objects', message: 'the selector "app=ghost" matches no pods of Deployment/ghost' });
  });

  it('pods that exist but have no value', async () => {
    const { code, hpas } = await explainJSON(['-f', manifestFile(hpaManifest('api', 'api', [podsMetric('rps', '1')]))]);
    expect(code).toBe(1);
    expect(hpas[0].metrics[0].reason?.code).toBe('no-values');
    expect(hpas[0].metrics[0].reason?.message).toContain('(1 pods of Deployment/api match "app=api")');
  });

  it('the HPA controller\'s identity denied (403 for it), while the metric resolves for the caller', async () => {
    denyHpaController = true;
    try {
      const r = await cli(['-f', manifestFile(hpaManifest('web', 'web', [podsMetric('http_requests', '2')]))]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`<unknown> [forbidden] the HPA controller (${HPA_SA}) may not get pods in custom.metrics.k8s.io: no RBAC policy matched`);
      expect(r.stdout).toContain('values: Pod default/web-1=3, Pod default/web-2=3');
    } finally {
      denyHpaController = false;
    }
  });

  it('a 403 for the caller names the API and the server\'s message', async () => {
    const other = issueCert(pki.clientCA, { commonName: 'someone-else' });
    const kc = writeCertKubeconfig(join(dir.path, 'denied.kubeconfig'), `https://127.0.0.1:${server.port}`, pki.servingCA.cert, other);
    let stdout = '';
    const code = await runCli(['explain', '--kubeconfig', clusterKubeconfig, '--metrics-kubeconfig', kc, '-f', manifestFile(hpaManifest('web', 'web', [podsMetric('http_requests', '2')]))], {
      stdout: (s) => (stdout += s),
      stderr: () => {},
    });
    expect(code).toBe(1);
    expect(stdout).toContain('<unknown> [forbidden] GET /apis answered 403 to your credentials: ');
    expect(stdout).toContain('someone-else');
  });

  it('a value older than --max-age is stale', async () => {
    let stdout = '';
    const opts: ExplainOptions = {
      file: [manifestFile(hpaManifest('web', 'web', [podsMetric('http_requests', '2')]))],
      kubeconfig: clusterKubeconfig,
      metricsKubeconfig,
      output: 'text',
      maxAge: 120,
      hpaUser: HPA_SA,
      accessCheck: true,
    };
    // The clock explain judges with runs an hour ahead of the server's timestamps.
    const code = await runExplain(opts, { stdout: (s) => (stdout += s) }, () => new Date(Date.now() + 3_600_000));
    expect(code).toBe(1);
    expect(stdout).toMatch(/<unknown> \[stale\] 2 of 2 values are older than the max age 120s \(oldest: 36\d\ds, Pod default\/web-\d\)/);
  });

  it('--all reads every HPA from the cluster (-n filters)', async () => {
    double.upsert('horizontalpodautoscalers.autoscaling', hpaManifest('web', 'web', [podsMetric('http_requests', '2')]));
    double.upsert('horizontalpodautoscalers.autoscaling', hpaManifest('ghost', 'ghost', [podsMetric('http_requests', '2')]));
    const { code, hpas } = await explainJSON(['--all', '-n', 'default']);
    expect(code).toBe(1);
    expect(hpas.map((h) => [h.name, h.ok])).toEqual([
      ['ghost', false],
      ['web', true],
    ]);
  });

  it('bad invocations and manifests exit 2 with what to fix', async () => {
    expect((await cli([])).stderr).toContain('give either -f FILE... or --all');
    const v1 = manifestFile({ ...hpaManifest('web', 'web', []), apiVersion: 'autoscaling/v1' });
    const r = await cli(['-f', v1]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('apiVersion is "autoscaling/v1"; explain reads autoscaling/v2');
  });
});
