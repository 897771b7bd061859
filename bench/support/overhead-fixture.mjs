// What the overhead benchmark's servers run on (bench/overhead.bench.mjs, and the in-process
// harness bench/support/inprocess-path.mjs): PKI (serving CA and certificate, client CA with an
// x509 client, front-proxy CA with the aggregator's client), the full server's config (memory
// backend, a 10-pod custom metric), the kube-apiserver double with those pods, and the two clients
// (x509, front proxy with `X-Remote-*` headers), all in a fresh temporary directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issueCert } from './pki.mjs';
import { startKubeDouble } from './kube-double.mjs';

/** The path every overhead request asks: a 10-pod `*` query. */
export const OVERHEAD_PATH = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests';

/**
 * Builds the fixture with `podCount` pods. Files in `dir`: serving.crt/.key, client-ca.crt,
 * front-proxy-ca.crt, pods.json (for the minimal route), config.yaml, kube-double.kubeconfig.
 */
export async function overheadFixture(podCount = 10) {
  const dir = mkdtempSync(join(tmpdir(), 'cms-bench-overhead-'));
  const servingCA = createCA('bench-serving-ca');
  const clientCA = createCA('bench-client-ca');
  const frontProxyCA = createCA('bench-front-proxy-ca');
  const serving = issueCert(servingCA, { commonName: 'custom-metrics-server', altNames: ['localhost', '127.0.0.1'] });
  const x509Client = issueCert(clientCA, { commonName: 'bench-hpa', organizations: ['bench'] });
  const proxyClient = issueCert(frontProxyCA, { commonName: 'front-proxy-client' });
  writeFileSync(join(dir, 'serving.crt'), serving.cert);
  writeFileSync(join(dir, 'serving.key'), serving.key);
  writeFileSync(join(dir, 'client-ca.crt'), clientCA.cert);
  writeFileSync(join(dir, 'front-proxy-ca.crt'), frontProxyCA.cert);
  const pods = Array.from({ length: podCount }, (_, i) => ({ name: `web-${i}`, value: `${i + 1}500m` }));
  writeFileSync(join(dir, 'pods.json'), JSON.stringify(pods));
  writeFileSync(join(dir, 'config.yaml'), [
    'server:',
    '  shutdownTimeoutSeconds: 2',
    'backends:',
    '  - name: mem',
    '    type: memory',
    '    config:',
    '      custom:',
    '        - resource: pods',
    '          metric: http_requests',
    '          objects:',
    ...pods.map((p, i) => `            - { namespace: bench, name: ${p.name}, value: ${i + 1.5} }`),
    '',
  ].join('\n'));
  const double = await startKubeDouble({
    pods: pods.map((p) => ({ metadata: { namespace: 'bench', name: p.name, labels: { app: 'web' } }, spec: { nodeName: 'node-1' }, status: { phase: 'Running', podIP: '10.0.0.1' } })),
    namespaces: [{ metadata: { name: 'bench' } }],
    nodes: [{ metadata: { name: 'node-1' } }],
  });
  double.writeKubeconfig(dir);
  const clients = {
    x509: { ...x509Client, issuerCert: clientCA.cert, headers: [] },
    'front proxy': {
      ...proxyClient,
      issuerCert: frontProxyCA.cert,
      headers: [['X-Remote-User', 'system:serviceaccount:kube-system:horizontal-pod-autoscaler'], ['X-Remote-Group', 'system:serviceaccounts'], ['X-Remote-Group', 'system:authenticated']],
    },
  };
  return { dir, servingCA, clients, pods, double, serverOptions: fullServerOptions(dir), configFile: join(dir, 'config.yaml') };
}

/** startServer's options for the full server over the files of a fixture's `dir`. */
export function fullServerOptions(dir) {
  return {
    securePort: 0,
    bindAddress: '127.0.0.1',
    tlsCertFile: join(dir, 'serving.crt'),
    tlsPrivateKeyFile: join(dir, 'serving.key'),
    clientCaFile: join(dir, 'client-ca.crt'),
    requestheaderClientCaFile: join(dir, 'front-proxy-ca.crt'),
    requestheaderAllowedNames: ['front-proxy-client'],
    kubeconfig: join(dir, 'kube-double.kubeconfig'),
    // No debug listener: two bench servers would race for its default port (the values and
    // latency it shows are recorded either way).
    debugAddress: '',
  };
}
