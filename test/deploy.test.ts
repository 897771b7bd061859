// deploy/: every manifest is valid against the Kubernetes schemas and the objects fit together
// (names, ports, service accounts, APIService rules), and the ConfigMap's config passes the
// server's own `validate-config`.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConsistency, loadDir, repoRoot, validateConfigWithCli } from './support/manifests.js';
import { validateObject } from './support/k8s-validate.js';

const root = repoRoot;

describe('deploy/ manifests', () => {
  const objs = loadDir(join(root, 'deploy'));
  const optional = loadDir(join(root, 'deploy/optional'));

  it('are valid Kubernetes objects', () => {
    expect(objs.length).toBeGreaterThanOrEqual(13);
    for (const o of [...objs, ...optional]) validateObject(o);
  });

  it('hold every object the issue lists', () => {
    const kinds = objs.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const k of ['Namespace/custom-metrics', 'ServiceAccount/custom-metrics-server', 'Deployment/custom-metrics-server', 'Service/custom-metrics-server', 'PodDisruptionBudget/custom-metrics-server', 'APIService/v1beta1.custom.metrics.k8s.io', 'APIService/v1beta2.custom.metrics.k8s.io', 'APIService/v1beta1.external.metrics.k8s.io', 'ConfigMap/custom-metrics-server-config'])
      expect(kinds).toContain(k);
    expect(optional.map((o) => o.metadata.name)).toEqual(['v1beta1.metrics.k8s.io']);
    expect((objs.find((o) => o.kind === 'Deployment') as any).spec.replicas).toBe(2);
  });

  it('fit together', () => checkConsistency([...objs, ...optional]));

  it('take backend credentials from an optional Secret, as the chart does with existingSecret', () => {
    const d = objs.find((o) => o.kind === 'Deployment') as any;
    expect(d.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: 'custom-metrics-server-credentials', optional: true } }]);
  });

  it("ship a config the server's validate-config accepts", () => {
    const cm = objs.find((o) => o.kind === 'ConfigMap') as any;
    const r = validateConfigWithCli(cm.data['config.yaml']);
    expect(r.output).toContain('OK');
    expect(r.status).toBe(0);
  });
});
