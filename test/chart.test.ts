// charts/custom-metrics-server: rendered (with test/support/helm-render.ts, Helm's template
// language subset the chart uses) for several value sets; every manifest is validated against the
// Kubernetes schemas, the objects fit together, and values reach the objects.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { byKind, renderChart as render } from './support/chart.js';
import { validateObject, type K8sObject } from './support/k8s-validate.js';
import { checkConsistency, loadDir, repoRoot, validateConfigWithCli } from './support/manifests.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const checksum = (objs: K8sObject[]) => byKind(objs, 'Deployment')[0].spec.template.metadata.annotations['checksum/config'] as string;
const configText = (objs: K8sObject[]) => byKind(objs, 'ConfigMap')[0].data['config.yaml'] as string;

/** Every path to a scalar in `v`, as key lists. */
function leafPaths(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(v)) return v.flatMap((x, i) => leafPaths(x, [...at, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]));
  return [at];
}

/** A copy of `v` with the scalar at `path` changed. */
function changedAt(v: unknown, path: Array<string | number>): unknown {
  const copy = structuredClone(v) as any;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k];
  const last = path[path.length - 1]!;
  const old = cur[last];
  cur[last] = typeof old === 'string' ? `${old}x` : typeof old === 'number' ? old + 1 : !old;
  return copy;
}

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

  it('rejects a misspelled key at every level the chart owns, naming it', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ replicas: 3 }, "at '(root)': additional property 'replicas' not allowed"],
      [{ serviceAccount: { craete: false } }, "at '/serviceAccount': additional property 'craete' not allowed"],
      [{ service: { anotations: {} } }, "at '/service': additional property 'anotations' not allowed"],
      [{ certificates: { certManager: { issuerRef: { nmae: 'x' } } } }, "at '/certificates/certManager/issuerRef': additional property 'nmae' not allowed"],
      [{ serviceMonitor: { scraper: { serviceAcount: 'prom' } } }, "at '/serviceMonitor/scraper': additional property 'serviceAcount' not allowed"],
      [{ hostNetwork: true }, "at '/hostNetwork': must be object"],
      [{ logLevel: 4 }, "at '/logLevel': must be equal to one of the allowed values"],
      [{ extraArgs: ['request-timeout=20s'] }, "at '/extraArgs/0': must match pattern"],
    ];
    for (const [values, message] of cases) expect(() => render(values), JSON.stringify(values)).toThrow(message);
  });

  it('with configReload: hot (the default), leaves a config change to the server: no checksum rolls the pods', () => {
    for (const objs of [render(), render({ configReload: 'hot' })]) {
      const annotations = byKind(objs, 'Deployment')[0].spec.template.metadata.annotations as Record<string, string>;
      expect(annotations['checksum/config']).toBeUndefined();
      expect(annotations['custom-metrics.k8s.io/config-reload']).toBe('hot');
    }
    const url = (u: string) => render({ config: { backends: [{ name: 'p', type: 'prometheus', config: { url: u } }] } });
    expect(byKind(url('http://a:80'), 'Deployment')[0].spec.template).toEqual(byKind(url('http://b:80'), 'Deployment')[0].spec.template);
    expect(() => render({ configReload: 'sometimes' })).toThrow("at '/configReload': must be equal to one of the allowed values");
  });

  it('with configReload: restart, annotates the pods with the sha256 of the rendered config', () => {
    const objs = render({ configReload: 'restart' });
    expect(byKind(objs, 'Deployment')[0].spec.template.metadata.annotations['custom-metrics.k8s.io/config-reload']).toBeUndefined();
    // The ConfigMap's block scalar ends the text with one newline.
    expect(checksum(objs)).toBe(sha256(configText(objs).replace(/\n$/, '')));
  });

  it('changes the checksum when any config value changes (configReload: restart)', () => {
    const base = parseYaml(readFileSync(join(repoRoot, 'charts/custom-metrics-server/values.yaml'), 'utf8')).config;
    const before = checksum(render({ configReload: 'restart' }));
    const paths = leafPaths(base);
    expect(paths.length).toBeGreaterThanOrEqual(8);
    for (const path of paths) {
      const after = checksum(render({ configReload: 'restart', config: changedAt(base, path) }));
      expect(after, `config.${path.join('.')}`).not.toBe(before);
    }
    // The regression: two URLs differing past the 63rd base64 character.
    const url = (u: string) => render({ configReload: 'restart', config: { backends: [{ name: 'p', type: 'prometheus', config: { url: u } }] } });
    expect(checksum(url('http://prometheus-server.monitoring.svc:80'))).not.toBe(checksum(url('http://prometheus-server.monitoring.svc:81')));
  });

  it('takes the config as YAML text, as --set-file config=FILE passes it', () => {
    // Comments, quotes and template-like text (<<.Series>>, ${1}) reach the server verbatim.
    const text = [
      '# my-config.yaml',
      'backends:',
      '  - name: prometheus',
      '    type: prometheus',
      '    config:',
      '      url: http://prometheus.monitoring.svc:9090',
      '      rules:',
      '        - seriesQuery: \'http_requests_total{namespace!="",pod!=""}\'',
      '          resources: {template: "<<.Resource>>"}',
      '          name: {matches: "^(.*)_total$", as: "${1}_per_second"}',
      '          metricsQuery: |',
      '            sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m]))',
      '              by (<<.GroupBy>>)',
      '',
    ].join('\n');
    const objs = render({ config: text, configReload: 'restart' });
    for (const o of objs) validateObject(o);
    expect(configText(objs)).toBe(text);
    expect(checksum(objs)).toBe(sha256(text));
    const r = validateConfigWithCli(configText(objs));
    expect(r.output).toContain('OK');
    expect(r.status).toBe(0);
    expect(() => render({ config: 42 })).toThrow("at '/config': must be object,string");
  });
});
