// charts/custom-metrics-server: every option of values.yaml renders into valid manifests and
// reaches the object it is for; backend credentials come from a Secret, end to end with the
// documented values file and kubectl's own Secret.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../test-support/index.js';
import { DEFAULT_ALWAYS_ALLOW_PATHS } from '../packages/server/src/auth/authorization.js';
import { subjectAccessReviewBody } from '../packages/server/src/auth/subject-access-review.js';
import { parseRequestInfo } from '../packages/server/src/http/request-info.js';
import { byKind, podSpec, release, renderChart as render } from './support/chart.js';
import { validateObject, type K8sObject } from './support/k8s-validate.js';
import { checkConsistency, repoRoot, validateConfigWithCli } from './support/manifests.js';

const validateAll = (objs: K8sObject[]) => {
  for (const o of objs) validateObject(o);
  return objs;
};
const container = (objs: K8sObject[]) => podSpec(objs).containers[0];

/** A value for every option the chart has (and values.schema.json allows). */
const everyOption = {
  replicaCount: 3,
  image: { repository: 'registry.example/cms', tag: '1.2.3', pullPolicy: 'Always' },
  imagePullSecrets: [{ name: 'registry-creds' }],
  fullnameOverride: 'metrics-adapter',
  serviceAccount: { create: true, name: 'cms-sa', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/cms' } },
  rbac: { create: true },
  apiServices: { groupPriorityMinimum: 1000, custom: true, external: true, metrics: true },
  certificates: { mode: 'certManager', certManager: { issuerRef: { name: 'ca-issuer', kind: 'ClusterIssuer' } } },
  configReload: 'restart',
  existingSecret: 'cms-credentials',
  secretMountPath: '/var/run/secrets/creds',
  env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=384' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'other', key: 'token' } } }],
  envFrom: [{ configMapRef: { name: 'cms-env' } }],
  logLevel: 'debug',
  shutdown: { delaySeconds: 10, timeoutSeconds: 50 },
  terminationGracePeriodSeconds: 70,
  extraArgs: ['--request-timeout=20s', '--max-requests-inflight=100'],
  extraVolumes: [{ name: 'ca-certs', configMap: { name: 'corporate-ca' } }],
  extraVolumeMounts: [{ name: 'ca-certs', mountPath: '/etc/ssl/corporate', readOnly: true }],
  service: { type: 'LoadBalancer', port: 8443, annotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' } },
  resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  podDisruptionBudget: { enabled: true, minAvailable: 2 },
  podSecurityContext: { runAsUser: 1000, fsGroup: 2000 },
  securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
  priorityClassName: 'high',
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'monitoring', effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['system'] }] }] } },
    podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'cms' } } }] },
  },
  podLabels: { team: 'platform' },
  podAnnotations: { 'sidecar.istio.io/inject': 'false' },
  hostNetwork: { enabled: true },
  dnsPolicy: 'ClusterFirst',
  serviceMonitor: {
    enabled: true,
    labels: { release: 'kube-prometheus-stack' },
    interval: '1m',
    scrapeTimeout: '20s',
    scraper: { serviceAccount: 'prometheus', namespace: 'monitoring' },
  },
};

describe('Helm chart options', () => {
  it('has a test value for every key of values.yaml', () => {
    const defaults = parseYaml(readFileSync(join(repoRoot, 'charts/custom-metrics-server/values.yaml'), 'utf8')) as Record<string, unknown>;
    const untested = Object.keys(defaults).filter((k) => !(k in everyOption) && !['config', 'nameOverride'].includes(k));
    expect(untested).toEqual([]);
  });

  it('renders every option into valid manifests that fit together', () => {
    const objs = validateAll(render(everyOption));
    checkConsistency(objs);
    const [d] = byKind(objs, 'Deployment');
    const pod = podSpec(objs);
    const c = container(objs);
    expect(d.spec.replicas).toBe(3);
    expect(d.metadata.name).toBe('metrics-adapter');
    expect(c.image).toBe('registry.example/cms:1.2.3');
    expect(c.imagePullPolicy).toBe('Always');
    expect(pod.imagePullSecrets).toEqual([{ name: 'registry-creds' }]);
    expect(pod.serviceAccountName).toBe('cms-sa');
    expect(byKind(objs, 'ServiceAccount')[0].metadata.annotations).toEqual(everyOption.serviceAccount.annotations);
    expect(c.args).toEqual(expect.arrayContaining(['--log-level=debug', '--request-timeout=20s', '--max-requests-inflight=100', '--shutdown-delay-duration=10s', '--shutdown-timeout=50s']));
    expect(pod.terminationGracePeriodSeconds).toBe(70);
    expect(c.env).toEqual(everyOption.env);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'cms-env' } }, { secretRef: { name: 'cms-credentials' } }]);
    expect(c.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'backend-credentials', mountPath: '/var/run/secrets/creds', readOnly: true },
      { name: 'ca-certs', mountPath: '/etc/ssl/corporate', readOnly: true },
    ]));
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'backend-credentials', secret: { secretName: 'cms-credentials' } },
      { name: 'ca-certs', configMap: { name: 'corporate-ca' } },
    ]));
    expect(c.resources).toEqual(everyOption.resources);
    // Maps merge with the defaults: runAsNonRoot and seccomp stay, the ids are the user's.
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 65532, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } });
    expect(pod).toMatchObject({ priorityClassName: 'high', nodeSelector: everyOption.nodeSelector, tolerations: everyOption.tolerations, affinity: everyOption.affinity });
    expect(pod).toMatchObject({ hostNetwork: true, dnsPolicy: 'ClusterFirst' });
    expect(d.spec.template.metadata.labels.team).toBe('platform');
    expect(d.spec.template.metadata.annotations['sidecar.istio.io/inject']).toBe('false');
    const [svc] = byKind(objs, 'Service');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports[0].port).toBe(8443);
    expect(svc.metadata.annotations).toEqual(everyOption.service.annotations);
    for (const a of byKind(objs, 'APIService')) expect(a.spec).toMatchObject({ groupPriorityMinimum: 1000, service: { port: 8443 } });
    expect(byKind(objs, 'PodDisruptionBudget')[0].spec.minAvailable).toBe(2);
    expect(byKind(objs, 'Certificate')).toHaveLength(1);
    const [sm] = byKind(objs, 'ServiceMonitor');
    expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'https', scheme: 'https', path: '/metrics', interval: '1m', scrapeTimeout: '20s' });
  });

  it('refuses a grace period that would let the kubelet kill the server mid-drain', () => {
    expect(() => render({ shutdown: { delaySeconds: 5, timeoutSeconds: 60 } })).toThrow(
      'terminationGracePeriodSeconds (45) must be greater than shutdown.delaySeconds + shutdown.timeoutSeconds (65), or the kubelet kills the server before it has drained',
    );
    expect(() => render({ shutdown: { delaySeconds: '5s', timeoutSeconds: 30 } })).toThrow("at '/shutdown/delaySeconds': must be integer");
    expect(podSpec(validateAll(render({ shutdown: { delaySeconds: 0, timeoutSeconds: 60 }, terminationGracePeriodSeconds: 61 }))).terminationGracePeriodSeconds).toBe(61);
  });

  it('lets OpenShift unset the user and group ids (null deletes a default, as in Helm)', () => {
    const objs = validateAll(render({ podSecurityContext: { runAsUser: null, runAsGroup: null, fsGroup: null } }));
    expect(podSpec(objs).securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    checkConsistency(objs);
    // Or no pod security context at all.
    expect(podSpec(render({ podSecurityContext: null })).securityContext).toBeUndefined();
  });

  it('uses an existing ServiceAccount and RBAC made by someone else when asked', () => {
    const none = validateAll(render({ rbac: { create: false }, serviceAccount: { create: false } }));
    expect(none.map((o) => o.kind).filter((k) => /Role|ServiceAccount/.test(k))).toEqual([]);
    expect(podSpec(none).serviceAccountName).toBe('default');
    expect(podSpec(render({ serviceAccount: { create: false, name: 'made-by-admin' } })).serviceAccountName).toBe('made-by-admin');
    const bindings = byKind(render({ serviceAccount: { create: false, name: 'made-by-admin' } }), 'ClusterRoleBinding');
    for (const b of bindings) expect(b.subjects[0].name).toBe('made-by-admin');
  });

  it('defaults dnsPolicy to ClusterFirstWithHostNet on the host network', () => {
    const pod = podSpec(validateAll(render({ hostNetwork: { enabled: true } })));
    expect(pod).toMatchObject({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' });
    const plain = podSpec(render());
    expect(plain.hostNetwork).toBeUndefined();
    expect(plain.dnsPolicy).toBeUndefined();
  });

  it('grants the ServiceMonitor scraper exactly what the server asks the API server for GET /metrics', () => {
    const objs = validateAll(render({ serviceMonitor: { enabled: true, scraper: { serviceAccount: 'prometheus-k8s', namespace: 'monitoring' } } }));
    checkConsistency(objs);
    // The server authorizes /metrics (it is not an always-allow path) with this SubjectAccessReview.
    expect(DEFAULT_ALWAYS_ALLOW_PATHS).not.toContain('/metrics');
    const sar = subjectAccessReviewBody({ user: { name: 'system:serviceaccount:monitoring:prometheus-k8s', groups: [] }, request: parseRequestInfo('GET', '/metrics') }) as any;
    const { path, verb } = sar.spec.nonResourceAttributes;
    const role = byKind(objs, 'ClusterRole').find((r) => r.metadata.name === 'cms-custom-metrics-server:metrics-scraper');
    expect(role.rules).toEqual([{ nonResourceURLs: [path], verbs: [verb] }]);
    const binding = byKind(objs, 'ClusterRoleBinding').find((b) => b.roleRef.name === role.metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'monitoring' }]);
    // The ServiceMonitor selects our Service's port, with a token and the self-signed certificate.
    const [sm] = byKind(objs, 'ServiceMonitor');
    const [svc] = byKind(objs, 'Service');
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svc.metadata.labels[k]).toBe(v);
    expect(sm.spec.namespaceSelector.matchNames).toEqual([release.namespace]);
    expect(svc.spec.ports.map((p: any) => p.name)).toContain(sm.spec.endpoints[0].port);
    expect(sm.spec.endpoints[0]).toMatchObject({ bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token', tlsConfig: { insecureSkipVerify: true } });
    // Without a scraper: the ClusterRole only; a scraper without its namespace is refused.
    const roleOnly = render({ serviceMonitor: { enabled: true } });
    expect(byKind(roleOnly, 'ClusterRoleBinding').some((b) => b.roleRef.name.endsWith(':metrics-scraper'))).toBe(false);
    expect(() => render({ serviceMonitor: { enabled: true, scraper: { serviceAccount: 'p' } } })).toThrow(/serviceMonitor\.scraper\.namespace is required/);
    expect(byKind(render(), 'ServiceMonitor')).toEqual([]);
  });

  it('verifies the serving certificate from /metrics scrapes when a CA signed it, and takes a token Secret', () => {
    const objs = validateAll(render({
      certificates: { mode: 'certManager', certManager: { issuerRef: { name: 'ca' } } },
      serviceMonitor: { enabled: true },
    }));
    const [cert] = byKind(objs, 'Certificate');
    const tls = byKind(objs, 'ServiceMonitor')[0].spec.endpoints[0].tlsConfig;
    expect(tls).toEqual({ serverName: 'cms-custom-metrics-server.metrics.svc', ca: { secret: { name: cert.spec.secretName, key: 'ca.crt' } } });
    // Where bearerTokenFile is denied: a token from a Secret.
    const fromSecret = byKind(validateAll(render({ serviceMonitor: { enabled: true, bearerTokenSecret: { name: 'scraper-token' } } })), 'ServiceMonitor')[0].spec.endpoints[0];
    expect(fromSecret.bearerTokenSecret).toEqual({ name: 'scraper-token', key: 'token' });
    expect(fromSecret.bearerTokenFile).toBeUndefined();
    expect(() => render({ serviceMonitor: { enabled: true, bearerTokenSecret: { key: 'token' } } })).toThrow(/bearerTokenSecret\.name is required/);
    const own = { ca: { configMap: { name: 'my-ca', key: 'ca.pem' } }, serverName: 'x.metrics.svc' };
    expect(byKind(render({ serviceMonitor: { enabled: true, tlsConfig: own } }), 'ServiceMonitor')[0].spec.endpoints[0].tlsConfig).toEqual(own);
  });
});

describe('Backend credentials from a Secret (docs/deploy.md)', () => {
  const valuesFile = join(repoRoot, 'docs/deploy/credentials-values.yaml');
  const values = parseYaml(readFileSync(valuesFile, 'utf8')) as Record<string, any>;
  const kubectl = requireBinary('kubectl', 'Debian package kubectl');

  it('documents the values file verbatim', () => {
    const doc = readFileSync(join(repoRoot, 'docs/deploy.md'), 'utf8');
    expect(doc).toContain(readFileSync(valuesFile, 'utf8'));
  });

  it.skipIf(!kubectl)("wires the documented kubectl Secret's keys into the server's environment and files", () => {
    // The Secret exactly as docs/deploy.md creates it, made by kubectl itself.
    const r = spawnSync(kubectl!, [
      'create', 'secret', 'generic', 'cms-credentials', '-n', 'custom-metrics',
      '--from-literal=DD_API_KEY=dd-api', '--from-literal=DD_APP_KEY=dd-app', '--from-literal=INFLUX_TOKEN=influx-token',
      '--dry-run=client', '-o', 'json',
    ], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const secret = JSON.parse(r.stdout) as K8sObject & { data: Record<string, string> };
    validateObject(secret);
    expect(secret.metadata.name).toBe(values.existingSecret);

    const objs = validateAll(render(values));
    checkConsistency(objs);
    const c = container(objs);
    const pod = podSpec(objs);
    expect(c.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    const mount = c.volumeMounts.find((m: any) => m.name === 'backend-credentials');
    expect(pod.volumes.find((v: any) => v.name === 'backend-credentials').secret.secretName).toBe(secret.metadata.name);

    // Every variable and file the config names is a key of the Secret.
    const config = byKind(objs, 'ConfigMap')[0].data['config.yaml'] as string;
    const envNames: string[] = [];
    const files: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') for (const m of v.matchAll(/\$\{(\w+)\}/g)) envNames.push(m[1]!);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.env === 'string') envNames.push(o.env);
        if (typeof o.file === 'string') files.push(o.file);
        Object.values(o).forEach(walk);
      }
    };
    walk(parseYaml(config));
    expect(envNames.sort()).toEqual(['DD_API_KEY', 'INFLUX_TOKEN']);
    expect(files).toEqual([`${mount.mountPath}/DD_APP_KEY`]);
    for (const name of [...envNames, ...files.map((f) => f.slice(mount.mountPath.length + 1))]) expect(Object.keys(secret.data)).toContain(name);
    expect(config).not.toMatch(/dd-api|dd-app|influx-token/);

    // validate-config (a dry run of serve) sees the Secret as the pod does; without it, it names what is missing.
    const v = validateConfigWithCli(config, { data: secret.data, mountPath: mount.mountPath });
    expect(v.output).toContain('OK');
    expect(v.status).toBe(0);
    const missing = validateConfigWithCli(config);
    expect(missing.status).toBe(2);
    expect(missing.output).toMatch(/DD_API_KEY|INFLUX_TOKEN|DD_APP_KEY/);
  }, 120_000); // two runs of the CLI, each loading every backend
});
