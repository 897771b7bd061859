import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../../../test-support/index.js';
import { isConfigError } from '../config/config-error.js';
import { chooseCluster } from './clients.js';

const dir = tempDir('kube-clients');
afterAll(() => dir.remove());
const d = dir.path;

function kubeconfig(name: string, server: string, context = name): string {
  const file = join(d, name);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${context}`,
      'clusters:',
      `  - name: ${name}`,
      `    cluster: { server: "${server}" }`,
      'users:',
      `  - name: ${name}`,
      '    user: { token: t }',
      'contexts:',
      `  - name: ${name}`,
      `    context: { cluster: ${name}, user: ${name} }`,
      '',
    ].join('\n'),
  );
  return file;
}

const flagFile = kubeconfig('flag', 'https://flag.example:6443');
const envA = kubeconfig('env-a', 'https://env-a.example:6443');
const envB = kubeconfig('env-b', 'https://env-b.example:6443');
const home = join(d, 'home');
mkdirSync(join(home, '.kube'), { recursive: true });
writeFileSync(join(home, '.kube', 'config'), readFileSync(kubeconfig('home-config', 'https://home.example:6443')));
const emptyHome = join(d, 'empty-home');
mkdirSync(emptyHome);
// A fake in-cluster service account under a root prefix.
const root = join(d, 'root');
const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
mkdirSync(sa, { recursive: true });
writeFileSync(join(sa, 'token'), 'sa-token');
writeFileSync(join(sa, 'ca.crt'), '');
writeFileSync(join(sa, 'namespace'), 'monitoring');
const inCluster = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };

const server = (c: ReturnType<typeof chooseCluster>) => c.clients?.main.server;

describe('chooseCluster follows kubectl: flag, $KUBECONFIG, in-cluster, ~/.kube/config', () => {
  it('--kubeconfig wins over everything', () => {
    const c = chooseCluster({ kubeconfig: flagFile, env: { KUBECONFIG: envA, ...inCluster }, homeDir: home, rootPrefix: root });
    expect([c.source, server(c), c.reason]).toEqual(['flag', 'https://flag.example:6443', `--kubeconfig ${flagFile}`]);
  });

  it('$KUBECONFIG (a list, merged, the first file choosing the context) wins over in-cluster and home', () => {
    const c = chooseCluster({ env: { KUBECONFIG: [envA, envB].join(delimiter), ...inCluster }, homeDir: home, rootPrefix: root });
    expect([c.source, server(c), c.files]).toEqual(['KUBECONFIG', 'https://env-a.example:6443', [envA, envB]]);
    expect(c.clients?.main.config.getContexts().map((x) => x.name)).toEqual(['env-a', 'env-b']);
  });

  it('the in-cluster service account wins over ~/.kube/config', () => {
    // client-node's in-cluster loader reads the host and port from process.env itself.
    vi.stubEnv('KUBERNETES_SERVICE_HOST', inCluster.KUBERNETES_SERVICE_HOST);
    vi.stubEnv('KUBERNETES_SERVICE_PORT', inCluster.KUBERNETES_SERVICE_PORT);
    const c = chooseCluster({ env: inCluster, homeDir: home, rootPrefix: root });
    vi.unstubAllEnvs();
    expect([c.source, server(c)]).toEqual(['in-cluster', 'https://10.0.0.1:443']);
    expect(c.reason).toContain('in-cluster service account');
  });

  it('~/.kube/config when nothing else is there', () => {
    const c = chooseCluster({ env: {}, homeDir: home, rootPrefix: root });
    expect([c.source, server(c), c.reason]).toEqual(['home', 'https://home.example:6443', join(home, '.kube', 'config')]);
  });

  it('standalone with none of them, saying why', () => {
    const c = chooseCluster({ env: {}, homeDir: emptyHome, rootPrefix: root });
    expect(c.clients).toBeUndefined();
    expect(c.reason).toBe('no --kubeconfig, no $KUBECONFIG, not in a cluster and no ~/.kube/config');
  });

  it('authentication and authorization kubeconfigs default to the main cluster, or override it', () => {
    const c = chooseCluster({ env: { KUBECONFIG: envA }, authorizationKubeconfig: flagFile, homeDir: emptyHome, rootPrefix: root });
    expect(c.clients?.authentication.server).toBe('https://env-a.example:6443');
    expect(c.clients?.authorization.server).toBe('https://flag.example:6443');
  });

  it('--authentication-kubeconfig without a main cluster is a config error, not a silent standalone', () => {
    let err: unknown;
    try {
      chooseCluster({ authenticationKubeconfig: flagFile, env: {}, homeDir: emptyHome, rootPrefix: root });
    } catch (e) {
      err = e;
    }
    expect(isConfigError(err)).toBe(true);
    expect((err as Error).message).toContain('server.kubeconfig: a cluster to read objects from: --authentication-kubeconfig is set, but there is no --kubeconfig');
  });

  it('a broken $KUBECONFIG file is a config error naming it', () => {
    const broken = join(d, 'broken');
    writeFileSync(broken, 'clusters: {oops\n');
    expect(() => chooseCluster({ env: { KUBECONFIG: broken }, homeDir: emptyHome, rootPrefix: root })).toThrow(`$KUBECONFIG: ${broken}: not a usable kubeconfig`);
  });
});
