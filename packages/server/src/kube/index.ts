export { chooseCluster, createKubeClients } from './clients.js';
export type { ClusterChoice, KubeClients, KubeClientOptions, KubeconfigSource } from './clients.js';
export { InformerKubeLookup } from './informer-lookup.js';
export type { InformerKubeLookupOptions } from './informer-lookup.js';
export { KubeDiscovery } from './discovery.js';
export type { DiscoveredResource, KubeDiscoveryOptions } from './discovery.js';
export { KubeRest, KubeRequestError } from './rest.js';
export type { KubeResponse } from './rest.js';
