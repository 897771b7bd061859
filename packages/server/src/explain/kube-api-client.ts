// The explain engine's ApiClient over a kubeconfig (KubeRest).
import type { KubeRest } from '../kube/rest.js';
import type { ApiClient } from './engine.js';

/** kubeApiClient sends the engine's GET/POST requests with `rest`'s server and credentials. */
export function kubeApiClient(rest: KubeRest): ApiClient {
  return {
    get: (path) => rest.request('GET', path),
    post: (path, body) => rest.request('POST', path, body),
  };
}
