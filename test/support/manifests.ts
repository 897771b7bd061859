// Checks shared by the tests of deploy/ and of the Helm chart.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseSeconds, SERVE_FLAGS } from '../../packages/server/src/cli/flags.js';
import { tempDir } from '../../test-support/index.js';
import { parseManifests, type K8sObject } from './k8s-validate.js';

export const repoRoot = new URL('../..', import.meta.url).pathname;
const root = repoRoot;

export function loadDir(dir: string): K8sObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8'), f));
}

/** Checks that hold for any rendering of our manifests (deploy/ and the Helm chart). */
export function checkConsistency(objs: K8sObject[]): void {
  const find = (kind: string) => objs.filter((o) => o.kind === kind);
  const [deployment] = find('Deployment') as Array<K8sObject & { spec: any }>;
  expect(deployment, 'a Deployment').toBeDefined();
  const pod = deployment!.spec.template.spec;
  const ns = deployment!.metadata.namespace;
  // Service account exists (or is created) and the bindings name it.
  const sa = pod.serviceAccountName as string;
  expect(find('ServiceAccount').map((o) => o.metadata.name)).toContain(sa);
  // (A binding to a role granting only non-resource URLs is a scraper's grant to /metrics, not ours.)
  const scraperRoles = new Set(find('ClusterRole').filter((r: any) => r.rules.every((rule: any) => rule.nonResourceURLs)).map((r) => r.metadata.name));
  const subjects = [...find('ClusterRoleBinding'), ...find('RoleBinding')].filter((b: any) => !scraperRoles.has(b.roleRef.name)).flatMap((b: any) => b.subjects);
  for (const s of subjects) expect(s).toMatchObject({ kind: 'ServiceAccount', name: sa, namespace: ns });
  const roleRefs = [...find('ClusterRoleBinding'), ...find('RoleBinding')].map((b: any) => `${b.kind}:${b.metadata.namespace ?? ''}:${b.roleRef.name}`);
  expect(roleRefs).toContain('ClusterRoleBinding::system:auth-delegator');
  expect(roleRefs).toContain('RoleBinding:kube-system:extension-apiserver-authentication-reader');
  // Probes, security, spread.
  const c = pod.containers[0];
  expect(c.livenessProbe.httpGet).toMatchObject({ path: '/livez', scheme: 'HTTPS' });
  expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
  expect(c.resources.requests).toHaveProperty('cpu');
  expect(c.resources.requests).toHaveProperty('memory');
  expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  expect(pod.securityContext.runAsNonRoot).toBe(true);
  expect(pod.affinity.podAntiAffinity).toBeDefined();
  // SIGTERM: the kubelet's grace period outlasts the delay before closing plus the drain bound,
  // so a drain is never cut short by SIGKILL (server defaults: delay 0s, timeout 30s; pod 30s).
  const flagValue = (name: string, dflt: string) => (c.args as string[]).find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1) ?? dflt;
  const drainSeconds = parseSeconds(flagValue('--shutdown-delay-duration', '0')) + parseSeconds(flagValue('--shutdown-timeout', '30'));
  expect(pod.terminationGracePeriodSeconds ?? 30, 'terminationGracePeriodSeconds > shutdown delay + timeout').toBeGreaterThan(drainSeconds);
  // Every flag the container passes is one the server knows.
  const known = new Set(['--config', ...SERVE_FLAGS.map((f) => f.flag.split(' ')[0]!)]);
  for (const arg of c.args.slice(1) as string[]) expect(known, `unknown flag ${arg}`).toContain(arg.split('=')[0]);
  // The config volume points at an existing ConfigMap holding config.yaml.
  const cmName = pod.volumes.find((v: any) => v.name === 'config').configMap.name;
  const cm = find('ConfigMap').find((o) => o.metadata.name === cmName) as any;
  expect(cm?.data?.['config.yaml'], `ConfigMap ${cmName} with config.yaml`).toBeTypeOf('string');
  // Service → pod port, selector → pod labels.
  const [svc] = find('Service') as any[];
  expect(svc.spec.ports[0].targetPort).toBe(c.ports[0].name);
  for (const [k, v] of Object.entries(svc.spec.selector)) expect(deployment!.spec.template.metadata.labels[k]).toBe(v);
  // APIServices: name = version.group, routed to our Service, v1beta2 preferred for custom metrics.
  const apis = find('APIService') as any[];
  for (const a of apis) {
    expect(a.metadata.name).toBe(`${a.spec.version}.${a.spec.group}`);
    expect(a.spec.service).toMatchObject({ name: svc.metadata.name, namespace: svc.metadata.namespace, port: svc.spec.ports[0].port });
    expect(a.spec.groupPriorityMinimum).toBeGreaterThanOrEqual(1);
    expect(Boolean(a.spec.insecureSkipTLSVerify) && Boolean(a.spec.caBundle)).toBe(false);
  }
  const prio = (v: string) => apis.find((a) => a.metadata.name === `${v}.custom.metrics.k8s.io`)?.spec.versionPriority;
  if (prio('v1beta2') !== undefined) expect(prio('v1beta2')).toBeGreaterThan(prio('v1beta1'));
  // PodDisruptionBudget selects the pods.
  for (const pdb of find('PodDisruptionBudget') as any[]) {
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) expect(deployment!.spec.template.metadata.labels[k]).toBe(v);
  }
}

/**
 * A pod's view of a Secret for {@link validateConfigWithCli}: its keys as environment variables
 * (`envFrom`) and as files under `mountPath` (a Secret volume), decoded from the Secret's `data`.
 */
export interface PodSecret {
  data: Record<string, string>;
  mountPath?: string;
}

/**
 * Runs the built CLI's validate-config on a config text; returns its exit code and output.
 * `validate-config` is a dry run of `serve`: it expands `${VAR}`s and reads the secret files the
 * config names, so a `secret` is given to it as the pod would see it (the mount path is mapped to
 * a temporary folder holding the Secret's keys as files).
 */
export function validateConfigWithCli(configText: string, secret?: PodSecret): { status: number | null; output: string } {
  const cli = join(root, 'packages/server/dist/cli/main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first (npm test does)`);
  const dir = tempDir('cfg');
  try {
    const file = join(dir.path, 'config.yaml');
    const env: NodeJS.ProcessEnv = { ...process.env };
    let text = configText;
    if (secret) {
      const mounted = join(dir.path, 'secret');
      mkdirSync(mounted);
      for (const [k, v] of Object.entries(secret.data)) {
        const value = Buffer.from(v, 'base64').toString('utf8');
        env[k] = value;
        writeFileSync(join(mounted, k), value);
      }
      if (secret.mountPath) text = text.split(secret.mountPath).join(mounted);
    }
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, [cli, 'validate-config', file], { encoding: 'utf8', env });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    dir.remove();
  }
}

