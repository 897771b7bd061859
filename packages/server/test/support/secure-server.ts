// Starts the real server (startServer, TLS, real security) against the kube-apiserver double,
// with a serving certificate from a test CA so clients can verify it. Shared by the auth and
// kubectl end-to-end tests.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import type { ServerOptions } from '../../src/config/types.js';
import type { KubeApiserverDouble, KubeJSON } from '../kube/apiserver-double.js';
import { createCA, issueCert, type TestCert } from '../kube/certs.js';

/** The PKI of a secured test server. */
export interface TestPki {
  /** Signs the server's serving certificate (clients trust it). */
  servingCA: TestCert;
  /** `--client-ca-file`. */
  clientCA: TestCert;
  /** `--requestheader-client-ca-file`. */
  frontProxyCA: TestCert;
  serving: TestCert;
}

/** Creates the CAs and a serving certificate for localhost / 127.0.0.1. */
export function createTestPki(): TestPki {
  const servingCA = createCA('serving-ca');
  return {
    servingCA,
    clientCA: createCA('client-ca'),
    frontProxyCA: createCA('front-proxy-ca'),
    serving: issueCert(servingCA, { commonName: 'custom-metrics-server', altNames: ['localhost', '127.0.0.1'] }),
  };
}

/** A memory backend config (YAML lines under `backends:`). */
export const MEMORY_BACKEND_YAML = [
  '  - name: mem',
  '    type: memory',
  '    config:',
  '      custom:',
  '        - { resource: pods, metric: http_requests, default: 3 }',
  '        - resource: pods',
  '          metric: rps',
  '          objects:',
  '            - { namespace: default, name: web-1, value: 1.5 }',
  '            - { namespace: default, name: web-2, value: 2 }',
  '            - { namespace: default, name: db-1, value: 7 }',
  '        - resource: deployments.apps',
  '          metric: replicas_wanted',
  '          objects:',
  '            - { namespace: default, name: web, value: 4 }',
  '        - resource: namespaces',
  '          metric: queue_depth',
  '          objects:',
  '            - { name: default, value: 12 }',
  '        - resource: nodes',
  '          metric: node_load',
  '          objects:',
  '            - { name: node-1, value: 0.5 }',
  '            - { name: node-2, value: 1.25 }',
  '      external:',
  '        - name: queue_messages_ready',
  '          series:',
  '            - { labels: { queue: worker_tasks }, value: 42 }',
  '            - { labels: { queue: other }, value: 5 }',
];

/** Objects the double serves for {@link MEMORY_BACKEND_YAML}. */
export function seedCluster(double: KubeApiserverDouble): void {
  const pod = (name: string, labels: Record<string, string>): KubeJSON => ({
    metadata: { namespace: 'default', name, labels },
    spec: { nodeName: 'node-1' },
    status: { podIP: '10.0.0.1', phase: 'Running' },
  });
  double.upsert('pods', pod('web-1', { app: 'web' }));
  double.upsert('pods', pod('web-2', { app: 'web' }));
  double.upsert('pods', pod('db-1', { app: 'db' }));
  double.upsert('nodes', { metadata: { name: 'node-1', labels: {} } });
  double.upsert('nodes', { metadata: { name: 'node-2', labels: {} } });
  double.upsert('namespaces', { metadata: { name: 'default', labels: {} } });
  double.upsert('deployments.apps', { metadata: { namespace: 'default', name: 'web', labels: { app: 'web' } } });
}

/** Writes PEM files for the PKI into `dir` and returns their paths. */
export function writePki(dir: string, pki: TestPki): { servingCert: string; servingKey: string; clientCA: string; frontProxyCA: string } {
  const out = {
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    clientCA: join(dir, 'client-ca.crt'),
    frontProxyCA: join(dir, 'front-proxy-ca.crt'),
  };
  writeFileSync(out.servingCert, pki.serving.cert);
  writeFileSync(out.servingKey, pki.serving.key);
  writeFileSync(out.clientCA, pki.clientCA.cert);
  writeFileSync(out.frontProxyCA, pki.frontProxyCA.cert);
  return out;
}

/**
 * The serving and authentication flags of a server on 127.0.0.1 (free port) over the files
 * {@link writePki} wrote: serving certificate, client CA, front-proxy CA (its client
 * `front-proxy-client` allowed) and the kube-apiserver double's kubeconfig.
 */
export function securityFlags(files: ReturnType<typeof writePki>, kubeconfig: string): Partial<ServerOptions> {
  return {
    securePort: 0,
    bindAddress: '127.0.0.1',
    tlsCertFile: files.servingCert,
    tlsPrivateKeyFile: files.servingKey,
    clientCaFile: files.clientCA,
    requestheaderClientCaFile: files.frontProxyCA,
    requestheaderAllowedNames: ['front-proxy-client'],
    kubeconfig,
  };
}

/**
 * Starts the real server on 127.0.0.1 (free port) with the memory backend, pointed at `double`
 * through a kubeconfig, serving with the PKI's serving certificate; `flags` add/override flags.
 */
export async function startSecureServer(
  dir: string,
  double: KubeApiserverDouble,
  pki: TestPki,
  flags: Partial<ServerOptions> = {},
): Promise<RunningServer> {
  const files = writePki(dir, pki);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    ['server:', '  logLevel: silent', '  shutdownTimeoutSeconds: 2', 'backends:', ...MEMORY_BACKEND_YAML, ''].join('\n'),
  );
  return startServer(config, {
    securePort: 0,
    bindAddress: '127.0.0.1',
    tlsCertFile: files.servingCert,
    tlsPrivateKeyFile: files.servingKey,
    kubeconfig: double.writeKubeconfig(dir),
    ...flags,
  });
}

/** The spec of a SubjectAccessReview, as the tests read it. */
export interface SarSpec {
  user: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  resourceAttributes?: Record<string, unknown>;
  nonResourceAttributes?: { path: string; verb: string };
}

/** A metric value item of a MetricValueList / ExternalMetricValueList. */
export interface MetricItem {
  describedObject: { kind?: string; namespace?: string; name: string; apiVersion?: string };
  metricName?: string;
  metric?: { name: string };
  metricLabels?: Record<string, string>;
  value: string;
}

/** The parts of API documents (lists, discovery, Status) the tests read. */
export interface ApiDoc {
  kind: string;
  apiVersion: string;
  message: string;
  reason: string;
  code: number;
  items: MetricItem[];
  groups: Array<{ name: string; versions: Array<{ version: string }> }>;
  groupVersion: string;
  resources: Array<{ name: string; namespaced: boolean }>;
}

/** The SubjectAccessReview specs the double received, oldest first. */
export function sarSpecs(double: KubeApiserverDouble): SarSpec[] {
  return double
    .requestsTo('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews')
    .map((r) => (JSON.parse(r.body ?? '{}') as { spec: SarSpec }).spec);
}

/** How many TokenReviews the double received for `token`. */
export function tokenReviewCount(double: KubeApiserverDouble, token: string): number {
  return double
    .requestsTo('POST', '/apis/authentication.k8s.io/v1/tokenreviews')
    .filter((r) => (JSON.parse(r.body ?? '{}') as { spec?: { token?: string } }).spec?.token === token).length;
}
