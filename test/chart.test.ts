// charts/custom-metrics-server: rendered (with test/support/helm-render.ts, Helm's template
// language subset the chart uses) for several value sets; every manifest is validated against the
// Kubernetes schemas, the objects fit together, and values reach the objects.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HelmRenderer } from './support/helm-render.js';
import { parseManifests, validateObject, type K8sObject } from './support/k8s-validate.js';
import { checkConsistency, loadDir, repoRoot, validateConfigWithCli } from './support/manifests.js';

const chart = new HelmRenderer(join(repoRoot, 'charts/custom-metrics-server'));
const release = { name: 'cms', namespace: 'metrics' };

function render(values: Record<string, unknown> = {}): K8sObject[] {
  const files = chart.render(values, release);
  return [...files].flatMap(([f, text]) => parseManifests(text, f));
}

const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind) as any[];

describe('Helm chart', () => {
  it('renders valid manifests with the default values', () => {
    const objs = render();
    for (const o of objs) validateObject(o);
    checkConsistency(objs);
    expect(byKind(objs, 'APIService').map((a) => a.metadata.name).sort()).toEqual([
      'v1beta1.custom.metrics.k8s.io',
      'v1beta1.external.metrics.k8s.io',
      'v1beta2.custom.metrics.k8s.io',
    ]);
    for (const a of byKind(objs, 'APIService')) expect(a.spec.insecureSkipTLSVerify).toBe(true);
    const [d] = byKind(objs, 'Deployment');
    expect(d.metadata).toMatchObject({ name: 'cms-custom-metrics-server', namespace: 'metrics' });
    expect(d.spec.template.spec.containers[0].image).toBe('ghcr.io/custom-metrics/custom-metrics-server:0.1.0');
    expect(d.spec.template.spec.containers[0].args).toContain('--tls-san-names=cms-custom-metrics-server.metrics.svc');
  });

  it('renders the same kinds of objects as deploy/', () => {
    const kinds = (objs: K8sObject[]) => [...new Set(objs.filter((o) => o.kind !== 'Namespace').map((o) => `${o.apiVersion} ${o.kind}`))].sort();
    const deploy = [...loadDir(join(repoRoot, 'deploy')), ...loadDir(join(repoRoot, 'deploy/optional'))];
    expect(kinds(render({ apiServices: { metrics: true } }))).toEqual(kinds(deploy));
  });

  it('takes backends, image, replicas and resources from values', () => {
    const config = { backends: [{ name: 'mem', type: 'memory', config: { custom: [] } }] };
    const objs = render({ config, replicaCount: 3, image: { tag: '9.9.9' }, resources: { requests: { cpu: '1', memory: '1Gi' } } });
    for (const o of objs) validateObject(o);
    const [d] = byKind(objs, 'Deployment');
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0].image).toMatch(/:9\.9\.9$/);
    // Helm merges maps: the default memory limit stays unless set to null.
    expect(d.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '512Mi' } });
    const [cm] = byKind(objs, 'ConfigMap');
    expect(cm.data['config.yaml']).toContain('type: memory');
  });

  it('registers only the APIServices asked for', () => {
    const objs = render({ apiServices: { custom: false, external: true, metrics: true } });
    expect(byKind(objs, 'APIService').map((a) => a.metadata.name).sort()).toEqual(['v1beta1.external.metrics.k8s.io', 'v1beta1.metrics.k8s.io']);
    expect(byKind(objs, 'ClusterRole').some((r) => r.metadata.labels['rbac.authorization.k8s.io/aggregate-to-view'] === 'true')).toBe(true);
  });

  it('uses a cert-manager Certificate and CA injection when asked', () => {
    const objs = render({ certificates: { mode: 'certManager', certManager: { issuerRef: { name: 'ca-issuer', kind: 'ClusterIssuer' } } } });
    for (const o of objs) validateObject(o);
    const [cert] = byKind(objs, 'Certificate');
    expect(cert.spec.dnsNames).toContain('cms-custom-metrics-server.metrics.svc');
    expect(cert.spec.issuerRef).toEqual({ name: 'ca-issuer', kind: 'ClusterIssuer' });
    for (const a of byKind(objs, 'APIService')) {
      expect(a.metadata.annotations['cert-manager.io/inject-ca-from']).toBe('metrics/cms-custom-metrics-server');
      expect(a.spec.insecureSkipTLSVerify).toBeUndefined();
    }
    const [d] = byKind(objs, 'Deployment');
    expect(d.spec.template.spec.containers[0].args).toContain('--tls-cert-file=/var/run/serving-cert/tls.crt');
    expect(d.spec.template.spec.volumes.find((v: any) => v.name === 'serving-cert').secret.secretName).toBe(cert.spec.secretName);
  });

  it('uses an existing secret with a caBundle, and names what is missing', () => {
    const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64');
    const objs = render({ certificates: { mode: 'secret', secret: { name: 'my-tls', caBundle } } });
    for (const o of objs) validateObject(o);
    for (const a of byKind(objs, 'APIService')) expect(a.spec.caBundle).toBe(caBundle);
    expect(() => render({ certificates: { mode: 'secret', secret: { name: 'my-tls' } } })).toThrow(/certificates\.secret\.caBundle is required/);
  });

  it("ships a default config the server's validate-config accepts", () => {
    const [cm] = byKind(render(), 'ConfigMap');
    const r = validateConfigWithCli(cm.data['config.yaml']);
    expect(r.output).toContain('OK');
    expect(r.status).toBe(0);
  });
});
