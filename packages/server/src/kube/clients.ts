import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeRest } from './rest.js';

/** Where the server finds kube-apiserver (flags named as Kubernetes' own). */
export interface KubeClientOptions {
  /** `--kubeconfig`: the cluster the server reads objects from. */
  kubeconfig?: string;
  /** `--authentication-kubeconfig`: where TokenReviews and the auth ConfigMap go (default: `kubeconfig`). */
  authenticationKubeconfig?: string;
  /** `--authorization-kubeconfig`: where SubjectAccessReviews go (default: `kubeconfig`). */
  authorizationKubeconfig?: string;
  /** Environment used to detect in-cluster configuration (default `process.env`). */
  env?: NodeJS.ProcessEnv;
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

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function load(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/**
 * createKubeClients builds the kube-apiserver clients: from `--kubeconfig` (and the
 * authentication/authorization kubeconfigs, which default to it), else from the in-cluster
 * service account (`KUBERNETES_SERVICE_HOST` set and a token present), else `undefined`: the
 * server then runs standalone (no TokenReview, no SubjectAccessReview, no informers).
 */
export function createKubeClients(options: KubeClientOptions = {}): KubeClients | undefined {
  const env = options.env ?? process.env;
  let main: KubeConfig | undefined;
  if (options.kubeconfig) {
    main = load(options.kubeconfig);
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(`${SA_DIR}/token`)) {
    main = new KubeConfig();
    main.loadFromCluster();
  }
  const authn = options.authenticationKubeconfig ? load(options.authenticationKubeconfig) : main;
  const authz = options.authorizationKubeconfig ? load(options.authorizationKubeconfig) : main;
  if (!main || !authn || !authz) return undefined;
  return { main: new KubeRest(main), authentication: new KubeRest(authn), authorization: new KubeRest(authz) };
}
