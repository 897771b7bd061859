// End to end with kubectl as the client: the real server over TLS (memory backend,
// InformerKubeLookup against the kube-apiserver double), kubeconfigs with a bearer token and
// with a client certificate, `kubectl get --raw` on every route, bodies asserted.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, tempDir } from '../../../test-support/index.js';
import type { RunningServer } from '../src/cli/serve.js';
import { KubeApiserverDouble } from './kube/apiserver-double.js';
import { issueCert } from './kube/certs.js';
import { createTestPki, sarSpecs, seedCluster, startSecureServer, type ApiDoc, type TestPki } from './support/secure-server.js';

const kubectl = requireBinary('kubectl', 'install kubectl: https://kubernetes.io/docs/tasks/tools/');

const ALLOWED = new Set(['e2e-token-user', 'e2e-cert-user']);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(!kubectl)('kubectl get --raw against the real server', () => {
  const dir = tempDir('e2e-kubectl');
  let double: KubeApiserverDouble;
  let pki: TestPki;
  let server: RunningServer;
  const kubeconfigs: Record<'token' | 'cert' | 'denied' | 'anonymous' | 'badToken', string> = {
    token: '',
    cert: '',
    denied: '',
    anonymous: '',
    badToken: '',
  };

  function writeKubeconfig(name: string, user: Record<string, string>): string {
    const file = join(dir.path, `${name}.kubeconfig`);
    const kc = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'cms', cluster: { server: `https://127.0.0.1:${server.port}`, 'certificate-authority-data': Buffer.from(pki.servingCA.cert).toString('base64') } }],
      users: [{ name, user }],
      contexts: [{ name: 'cms', context: { cluster: 'cms', user: name } }],
      'current-context': 'cms',
    };
    writeFileSync(file, JSON.stringify(kc));
    return file;
  }

  // Asynchronous on purpose: the server runs in this process and must keep serving.
  const run = (kubeconfig: string, path: string): Promise<Run> =>
    new Promise((resolve) => {
      const child = execFile(
        kubectl!,
        ['--kubeconfig', kubeconfig, 'get', '--raw', path],
        { env: { PATH: process.env.PATH ?? '', HOME: join(dir.path, 'home') }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr }),
      );
      // No terminal: kubectl must never wait for an interactive login prompt.
      child.stdin?.end();
    });

  async function getJSON(path: string, kubeconfig = kubeconfigs.token): Promise<ApiDoc> {
    const r = await run(kubeconfig, path);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as ApiDoc;
  }

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'home'), { recursive: true });
    double = await KubeApiserverDouble.start();
    seedCluster(double);
    double.tokens.set('e2e-token', { username: 'e2e-token-user', groups: ['e2e'] });
    double.tokens.set('e2e-denied-token', { username: 'e2e-denied', groups: [] });
    double.sarPolicy = (spec) => ({ allowed: ALLOWED.has(String(spec.user)) });
    pki = createTestPki();
    server = await startSecureServer(dir.path, double, pki, {
      clientCaFile: join(dir.path, 'client-ca.crt'),
      requestheaderClientCaFile: join(dir.path, 'front-proxy-ca.crt'),
      requestheaderAllowedNames: ['front-proxy-client'],
    });
    const client = issueCert(pki.clientCA, { commonName: 'e2e-cert-user', organizations: ['e2e-certs'] });
    kubeconfigs.token = writeKubeconfig('token', { token: 'e2e-token' });
    kubeconfigs.cert = writeKubeconfig('cert', {
      'client-certificate-data': Buffer.from(client.cert).toString('base64'),
      'client-key-data': Buffer.from(client.key).toString('base64'),
    });
    kubeconfigs.denied = writeKubeconfig('denied', { token: 'e2e-denied-token' });
    kubeconfigs.badToken = writeKubeconfig('bad-token', { token: 'no-such-token' });
    // kubectl prompts for a user name (and needs a terminal) when a kubeconfig has no
    // credential at all; an empty bearer token (`Authorization: Bearer ` + blank) is no
    // credential for kube-apiserver's bearer-token authenticator, so the request is anonymous.
    const blank = join(dir.path, 'blank.token');
    writeFileSync(blank, ' ');
    kubeconfigs.anonymous = writeKubeconfig('anonymous', { tokenFile: blank });
  });

  afterAll(async () => {
    await server?.shutdown();
    await double?.close();
    dir.remove();
  });

  const names = (list: ApiDoc) => list.items.map((i) => i.describedObject.name);

  it('custom v1beta1: pods `*` with a labelSelector', async () => {
    const list = await getJSON('/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests?labelSelector=app%3Dweb');
    expect(list).toMatchObject({ kind: 'MetricValueList', apiVersion: 'custom.metrics.k8s.io/v1beta1' });
    expect(names(list)).toEqual(['web-1', 'web-2']);
    for (const item of list.items) {
      expect(item).toMatchObject({ metricName: 'http_requests', value: '3', describedObject: { kind: 'Pod', namespace: 'default', apiVersion: '/v1' } });
    }
  });

  it('custom v1beta2: pods `*` with a labelSelector, per-object values', async () => {
    const list = await getJSON('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/rps?labelSelector=app%3Dweb');
    expect(list).toMatchObject({ kind: 'MetricValueList', apiVersion: 'custom.metrics.k8s.io/v1beta2' });
    expect(list.items.map((i) => [i.describedObject.name, i.value])).toEqual([
      ['web-1', '1500m'],
      ['web-2', '2'],
    ]);
    expect(list.items[0]).toMatchObject({ metric: { name: 'rps' }, describedObject: { kind: 'Pod', apiVersion: '/v1' } });
  });

  it('custom v1beta2: a single object (deployments.apps) with the client-certificate kubeconfig', async () => {
    const list = await getJSON('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/deployments.apps/web/replicas_wanted', kubeconfigs.cert);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      describedObject: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
      metric: { name: 'replicas_wanted' },
      value: '4',
    });
    const spec = sarSpecs(double).find((s) => s.user === 'e2e-cert-user');
    expect(spec?.groups).toEqual(['e2e-certs', 'system:authenticated']);
  });

  it('custom v1beta2: a namespace metric', async () => {
    const list = await getJSON('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/metrics/queue_depth');
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ describedObject: { kind: 'Namespace', name: 'default' }, metric: { name: 'queue_depth' }, value: '12' });
  });

  it('custom v1beta2: nodes `*`', async () => {
    const list = await getJSON('/apis/custom.metrics.k8s.io/v1beta2/nodes/*/node_load', kubeconfigs.cert);
    expect(list.items.map((i) => [i.describedObject.kind, i.describedObject.name, i.value])).toEqual([
      ['Node', 'node-1', '500m'],
      ['Node', 'node-2', '1250m'],
    ]);
  });

  it('external v1beta1 with a labelSelector', async () => {
    const list = await getJSON('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker_tasks');
    expect(list).toMatchObject({ kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1' });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ metricName: 'queue_messages_ready', metricLabels: { queue: 'worker_tasks' }, value: '42' });
  });

  it('discovery: /apis and /apis/custom.metrics.k8s.io/v1beta2', async () => {
    const groups = await getJSON('/apis');
    expect(groups.kind).toBe('APIGroupList');
    const byName = new Map(groups.groups.map((g) => [g.name, g.versions.map((v) => v.version)]));
    // custom-metrics-apiserver lists the custom group with its first version only (contract §2).
    expect(byName.get('custom.metrics.k8s.io')).toEqual(['v1beta1']);
    expect(byName.get('external.metrics.k8s.io')).toEqual(['v1beta1']);
    // The memory backend offers no resource metrics, so metrics.k8s.io is not served.
    expect([...byName.keys()].sort()).toEqual(['custom.metrics.k8s.io', 'external.metrics.k8s.io']);
    const list = await getJSON('/apis/custom.metrics.k8s.io/v1beta2', kubeconfigs.cert);
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'custom.metrics.k8s.io/v1beta2' });
    const resources = new Map(list.resources.map((r) => [r.name, r.namespaced]));
    expect(resources.get('pods/http_requests')).toBe(true);
    expect(resources.get('pods/rps')).toBe(true);
    expect(resources.get('deployments.apps/replicas_wanted')).toBe(true);
    expect(resources.get('namespaces/queue_depth')).toBe(false);
    expect(resources.get('nodes/node_load')).toBe(false);
  });

  it('OpenAPI: kubectl fetches /openapi/v2, /openapi/v3 and each group-version document it lists', async () => {
    const v2 = (await getJSON('/openapi/v2')) as unknown as { swagger: string; paths: Record<string, unknown>; definitions: Record<string, unknown> };
    expect(v2.swagger).toBe('2.0');
    expect(v2.paths['/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/{resource}/{name}/{subresource}']).toBeDefined();
    expect(v2.definitions['io.k8s.metrics.pkg.apis.custom_metrics.v1beta2.MetricValueList']).toBeDefined();
    const v3 = (await getJSON('/openapi/v3', kubeconfigs.cert)) as unknown as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(v3.paths).sort()).toEqual(['apis/custom.metrics.k8s.io/v1beta1', 'apis/custom.metrics.k8s.io/v1beta2', 'apis/external.metrics.k8s.io/v1beta1']);
    for (const [gv, { serverRelativeURL }] of Object.entries(v3.paths)) {
      const doc = (await getJSON(serverRelativeURL)) as unknown as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: Array<{ kind: string }> }> } };
      expect(doc.openapi).toBe('3.0.0');
      expect(Object.keys(doc.paths).every((p) => p.startsWith(`/${gv}/`))).toBe(true);
      const kinds = Object.values(doc.components.schemas).flatMap((sc) => (sc['x-kubernetes-group-version-kind'] ?? []).map((g) => g.kind));
      expect(kinds).toContain(gv.startsWith('apis/external') ? 'ExternalMetricValueList' : 'MetricValueList');
    }
  });

  it('metrics.k8s.io without a resource-metrics backend: kubectl reports the NotFound Status', async () => {
    const r = await run(kubeconfigs.token, '/apis/metrics.k8s.io/v1beta1/nodes');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/NotFound|could not find the requested resource/);
  });

  it('/healthz, for any credentials and none', async () => {
    for (const kc of [kubeconfigs.token, kubeconfigs.anonymous]) {
      const r = await run(kc, '/healthz');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('ok');
    }
  });

  it('a user the SubjectAccessReview policy denies: kubectl fails with the Status message', async () => {
    const r = await run(kubeconfigs.denied, '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/rps');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'pods.custom.metrics.k8s.io "*" is forbidden: User "e2e-denied" cannot get resource "pods/rps" in API group "custom.metrics.k8s.io" in the namespace "default"',
    );
  });

  it('no credentials: anonymous is forbidden (403 Status)', async () => {
    const r = await run(kubeconfigs.anonymous, '/apis/custom.metrics.k8s.io/v1beta2');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('forbidden: User "system:anonymous" cannot get path "/apis/custom.metrics.k8s.io/v1beta2"');
    const reviews = double.requestsTo('POST', '/apis/authentication.k8s.io/v1/tokenreviews');
    expect(reviews.filter((q) => !/"token":"(e2e-token|e2e-denied-token|no-such-token)"/.test(q.body ?? ''))).toEqual([]);
  });

  it('an invalid token: 401 Unauthorized', async () => {
    const r = await run(kubeconfigs.badToken, '/apis/custom.metrics.k8s.io/v1beta2');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});
