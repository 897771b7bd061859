import { defineBackendPlugin, type BackendInstance, type KubeObject, type NodeMetrics, type PodMetrics, type ResourceMetricsProvider } from '@custom-metrics/core';
import { FakeCustomMetricsProvider, FakeExternalMetricsProvider } from '@custom-metrics/core/testing';

/** The time the fixture backend stamps on custom values (the contract fixtures' time). */
export const FIXTURE_TIME = new Date('2026-01-15T10:20:30Z');
/** The time stamped on external values. */
export const FIXTURE_EXTERNAL_TIME = new Date('2026-01-15T10:20:15Z');
/** The server clock in fixture tests (metrics.k8s.io creationTimestamp). */
export const FIXTURE_NOW = new Date('2026-01-15T10:20:41Z');

const pod = (name: string, labels: Record<string, string>): KubeObject => ({
  gvk: { group: '', version: 'v1', kind: 'Pod' },
  name,
  namespace: 'default',
  labels,
  annotations: {},
});

/** The cluster the fixture tests run against (FakeKubeLookup objects). */
export const FIXTURE_OBJECTS: KubeObject[] = [
  pod('sample-app-7cfb596f98-8h5bd', { app: 'sample-app', 'pod-template-hash': '7cfb596f98' }),
  pod('sample-app-7cfb596f98-x2k4l', { app: 'sample-app', 'pod-template-hash': '7cfb596f98' }),
  pod('other-pod', { app: 'other' }),
  { gvk: { group: 'apps', version: 'v1', kind: 'Deployment' }, name: 'sample-app', namespace: 'default', labels: { app: 'sample-app' }, annotations: {} },
  { gvk: { group: '', version: 'v1', kind: 'Namespace' }, name: 'default', labels: {}, annotations: {} },
  { gvk: { group: '', version: 'v1', kind: 'Node' }, name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux' }, annotations: {} },
  { gvk: { group: '', version: 'v1', kind: 'Node' }, name: 'node-2', labels: { 'kubernetes.io/hostname': 'node-2' }, annotations: {} },
];

/** A resource-metrics provider with the values of the metrics.k8s.io fixtures. */
export class FixtureResourceProvider implements ResourceMetricsProvider {
  async getPodMetrics(req: { pods: KubeObject[]; signal: AbortSignal }): Promise<Array<PodMetrics | undefined>> {
    return req.pods.map((p) =>
      p.name.startsWith('sample-app-')
        ? {
            metadata: { name: p.name, namespace: p.namespace },
            timestamp: FIXTURE_TIME,
            windowSeconds: 15.036,
            containers: [{ name: 'sample-app', usage: { cpu: 0.004263307, memory: 24678400 } }],
          }
        : undefined,
    );
  }
  async getNodeMetrics(req: { nodes: KubeObject[]; signal: AbortSignal }): Promise<Array<NodeMetrics | undefined>> {
    return req.nodes.map((n) =>
      n.name === 'node-1' ? { metadata: { name: n.name }, timestamp: FIXTURE_TIME, windowSeconds: 20.027, usage: { cpu: 0.187401521, memory: 1397644 * 1024 } } : undefined,
    );
  }
}

/**
 * A backend plugin serving exactly the contract fixtures' data, loaded through the server's
 * loader (as an npm package name) by the tests.
 */
export const fixtureBackend = defineBackendPlugin<Record<string, never>>({
  name: 'fixture',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(ctx): BackendInstance {
    const custom = new FakeCustomMetricsProvider({ kube: ctx.kube, now: () => FIXTURE_TIME });
    custom.set(
      { info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' }, namespace: 'default', name: 'sample-app-7cfb596f98-8h5bd', value: 0.5 },
      { info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' }, namespace: 'default', name: 'sample-app-7cfb596f98-x2k4l', value: 1234.567 },
      { info: { groupResource: { group: 'apps', resource: 'deployments' }, namespaced: true, metric: 'http_requests_total' }, namespace: 'default', name: 'sample-app', labels: { verb: 'GET' }, value: 42 },
      { info: { groupResource: { group: 'apps', resource: 'deployments' }, namespaced: true, metric: 'http_requests_total' }, namespace: 'default', name: 'sample-app', labels: { verb: 'POST' }, value: 7 },
      { info: { groupResource: { group: '', resource: 'namespaces' }, namespaced: false, metric: 'queue_length' }, namespace: '', name: 'default', labels: { queue: 'orders' }, value: 17 },
      { info: { groupResource: { group: '', resource: 'nodes' }, namespaced: false, metric: 'node_load1' }, namespace: '', name: 'node-1', value: 0.25, windowSeconds: 60 },
    );
    const external = new FakeExternalMetricsProvider({ now: () => FIXTURE_EXTERNAL_TIME });
    external.set({ metric: 'queue_messages_ready', labels: { queue: 'worker_tasks', vhost: '/' }, value: 1500 }, { metric: 'queue_messages_ready', labels: { queue: 'other' }, value: 3 });
    return { custom, external, resource: new FixtureResourceProvider(), health: () => ({ healthy: true }) };
  },
});
