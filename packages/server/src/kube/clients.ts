import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../config/config-error.js';
import { KubeRest } from './rest.js';

/** Where the server finds kube-apiserver (flags named as Kubernetes' own). */
export interface KubeClientOptions {
  /** `--kubeconfig`: the cluster the server reads objects from. */
  kubeconfig?: string;
  /** `--authentication-kubeconfig`: where TokenReviews and the auth ConfigMap go (default: the main cluster). */
  authenticationKubeconfig?: string;
  /** `--authorization-kubeconfig`: where SubjectAccessReviews go (default: the main cluster). */
  authorizationKubeconfig?: string;
  /** Environment: `KUBECONFIG`, in-cluster detection (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Home directory for `~/.kube/config` (default `os.homedir()`). */
  homeDir?: string;
  /** Prefix of the service-account directory `/var/run/secrets/kubernetes.io/serviceaccount` (tests; default none). */
  rootPrefix?: string;
}

/** The kube-apiserver connections of the server. */
export interface KubeClients {
  /** For discovery, informers and lookups. */
  readonly main: KubeRest;
  /** For TokenReview and the `extension-apiserver-authentication` ConfigMap. */
  readonly authentication: KubeRest;
  /** For SubjectAccessReview. */
  readonly authorization: KubeRest;
}

/** Where the main cluster's configuration came from. */
export type KubeconfigSource = 'flag' | 'KUBECONFIG' | 'in-cluster' | 'home';

/** The outcome of {@link chooseCluster}: clients (cluster mode) or none (standalone), and why. */
export interface ClusterChoice {
  readonly clients?: KubeClients;
  readonly source?: KubeconfigSource;
  /** The kubeconfig files used for the main cluster (none in-cluster). */
  readonly files: readonly string[];
  /** Human-readable reason, for the start-up log. */
  readonly reason: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function loadFiles(files: readonly string[], field: string): KubeConfig {
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(files[0]);
    for (const f of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(f);
      kc.mergeConfig(more, true);
    }
    if (!kc.getCurrentCluster()) throw new Error('no current cluster (set current-context)');
    return kc;
  } catch (e) {
    throw new ConfigError([{ path: field, expected: `${files.join(delimiter)}: not a usable kubeconfig (${String((e as Error).message).split('\n')[0]})` }]);
  }
}

/**
 * chooseCluster finds the main cluster as kubectl and client-go do: `--kubeconfig`, else the
 * files of `$KUBECONFIG` (a `:`-separated list, merged, the first file's context winning), else
 * the in-cluster service account (`KUBERNETES_SERVICE_HOST` set and a token mounted), else
 * `~/.kube/config`; with none of these the server runs standalone. The authentication and
 * authorization kubeconfigs default to the main cluster.
 * @throws {ConfigError} when a kubeconfig found this way cannot be loaded, or when
 * `--authentication-kubeconfig` / `--authorization-kubeconfig` is given but no main cluster is
 * found (rather than silently running standalone).
 */
export function chooseCluster(options: KubeClientOptions = {}): ClusterChoice {
  const env = options.env ?? process.env;
  const prefix = options.rootPrefix ?? '';
  const saDir = `${prefix}${SA_DIR}`;
  const home = options.homeDir ?? homedir();
  let main: KubeConfig | undefined;
  let source: KubeconfigSource | undefined;
  let files: string[] = [];
  let reason: string;
  const envFiles = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  if (options.kubeconfig) {
    files = [options.kubeconfig];
    main = loadFiles(files, 'server.kubeconfig');
    source = 'flag';
    reason = `--kubeconfig ${options.kubeconfig}`;
  } else if (envFiles.length > 0) {
    files = envFiles;
    main = loadFiles(files, '$KUBECONFIG');
    source = 'KUBECONFIG';
    reason = `$KUBECONFIG (${envFiles.join(delimiter)})`;
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(join(saDir, 'token'))) {
    main = new KubeConfig();
    main.loadFromCluster(prefix);
    source = 'in-cluster';
    reason = `the in-cluster service account (KUBERNETES_SERVICE_HOST=${env.KUBERNETES_SERVICE_HOST}, token in ${saDir})`;
  } else if (home && existsSync(join(home, '.kube', 'config'))) {
    files = [join(home, '.kube', 'config')];
    main = loadFiles(files, '~/.kube/config');
    source = 'home';
    reason = files[0];
  } else {
    reason = 'no --kubeconfig, no $KUBECONFIG, not in a cluster and no ~/.kube/config';
  }
  if (!main) {
    const extra = options.authenticationKubeconfig ? '--authentication-kubeconfig' : options.authorizationKubeconfig ? '--authorization-kubeconfig' : undefined;
    if (extra) {
      throw new ConfigError([
        {
          path: 'server.kubeconfig',
          expected: `a cluster to read objects from: ${extra} is set, but there is ${reason}; set --kubeconfig (or --standalone to run without a cluster)`,
        },
      ]);
    }
    return { files: [], reason };
  }
  const authn = options.authenticationKubeconfig ? loadFiles([options.authenticationKubeconfig], 'server.authenticationKubeconfig') : main;
  const authz = options.authorizationKubeconfig ? loadFiles([options.authorizationKubeconfig], 'server.authorizationKubeconfig') : main;
  return {
    clients: { main: new KubeRest(main), authentication: new KubeRest(authn), authorization: new KubeRest(authz) },
    source,
    files,
    reason,
  };
}

/**
 * createKubeClients builds the kube-apiserver clients of {@link chooseCluster}, or `undefined`
 * when no cluster is found (the server then runs standalone: no TokenReview, no
 * SubjectAccessReview, no informers).
 */
export function createKubeClients(options: KubeClientOptions = {}): KubeClients | undefined {
  return chooseCluster(options).clients;
}
