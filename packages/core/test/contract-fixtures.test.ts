// Every response document in ./contract (upstream outputs, kept as fixtures) is rebuilt from the model and must match byte for byte.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  CUSTOM_METRICS_GROUP,
  EXTERNAL_METRICS_GROUP,
  InternalError,
  MethodNotAllowedError,
  PlainInternalError,
  UnauthorizedError,
  customMetricsResourceList,
  encodeJSON,
  externalMetricsResourceList,
  forbiddenFor,
  invalidRequestPath,
  metricNotFound,
  metricNotFoundFor,
  podMetricsNotFound,
  renderAPIGroup,
  renderAPIGroupList,
  renderAggregatedDiscovery,
  renderExternalMetricValueList,
  renderMetricValueList,
  renderNodeMetricsList,
  renderPodMetrics,
  renderPodMetricsList,
  resourceMetricsResourceList,
  routeNotFound,
  type CustomMetricInfo,
  type ExternalMetricInfo,
  type MetricValue,
  type PodMetrics,
} from '../src/index.js';

const contractDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'contract');

/** Request-side documents (SAR, TokenReview, ConfigMap, APIService): not rendered by core. */
const NOT_RENDERED = new Set([
  'apiservice-v1beta1-custom.json',
  'apiservice-v1beta1-external.json',
  'apiservice-v1beta1-metrics.json',
  'apiservice-v1beta2-custom.json',
  'configmap-extension-apiserver-authentication.json',
  'sar-request-custom-pods.json',
  'sar-request-external.json',
  'sar-request-nonresource-discovery.json',
  'sar-response-allowed.json',
  'tokenreview-request.json',
  'tokenreview-response.json',
]);

const at = (h: number, m: number, s: number) => new Date(Date.UTC(2026, 0, 15, h, m, s));
const t0 = at(10, 20, 30);

const pod = (name: string) => ({ kind: 'Pod', namespace: 'default', name, apiVersion: '/v1' });
const podsList = (): MetricValue[] => [
  { describedObject: pod('sample-app-7cfb596f98-8h5bd'), metric: { name: 'http_requests', selector: null }, timestamp: t0, value: 0.5 },
  { describedObject: pod('sample-app-7cfb596f98-x2k4l'), metric: { name: 'http_requests', selector: null }, timestamp: t0, value: 1234.567 },
];
const deployment = (): MetricValue[] => [
  {
    describedObject: { kind: 'Deployment', namespace: 'default', name: 'sample-app', apiVersion: 'apps/v1' },
    metric: { name: 'http_requests_total', selector: { matchLabels: { verb: 'GET' } } },
    timestamp: t0,
    value: 42,
  },
];

const customInfos: CustomMetricInfo[] = [
  { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' },
  { groupResource: { group: 'apps', resource: 'deployments' }, namespaced: true, metric: 'http_requests_total' },
  { groupResource: { group: '', resource: 'namespaces' }, namespaced: false, metric: 'queue_length' },
  { groupResource: { group: '', resource: 'nodes' }, namespaced: false, metric: 'node_load1' },
];
const externalInfos: ExternalMetricInfo[] = [{ metric: 'queue_messages_ready' }];

const samplePod = (): PodMetrics => ({
  metadata: {
    name: 'sample-app-7cfb596f98-8h5bd',
    namespace: 'default',
    creationTimestamp: at(10, 20, 41),
    labels: { 'pod-template-hash': '7cfb596f98', app: 'sample-app' },
  },
  timestamp: t0,
  windowSeconds: 15.036,
  containers: [{ name: 'sample-app', usage: { cpu: 0.004263307, memory: 24678400 } }],
});

const customGroup = { name: CUSTOM_METRICS_GROUP, versions: ['v1beta1'] };
const cidrs = [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.244.1.17:6443' }];

const documents: Record<string, () => unknown> = {
  'custom-v1beta1-pods-list.json': () => renderMetricValueList('v1beta1', podsList()),
  'custom-v1beta2-pods-list.json': () => renderMetricValueList('v1beta2', podsList()),
  'custom-v1beta1-object.json': () => renderMetricValueList('v1beta1', deployment()),
  'custom-v1beta2-object.json': () => renderMetricValueList('v1beta2', deployment()),
  'custom-v1beta2-namespace-metric.json': () =>
    renderMetricValueList('v1beta2', [
      {
        describedObject: { kind: 'Namespace', name: 'default', apiVersion: '/v1' },
        metric: { name: 'queue_length', selector: { matchLabels: { queue: 'orders' } } },
        timestamp: t0,
        value: 17,
      },
    ]),
  'custom-v1beta1-nodes-list.json': () =>
    renderMetricValueList('v1beta1', [
      {
        describedObject: { kind: 'Node', name: 'node-1', apiVersion: '/v1' },
        metric: { name: 'node_load1', selector: null },
        timestamp: new Date(t0.getTime() + 999), // sub-seconds are truncated
        windowSeconds: 60,
        value: 0.25,
      },
    ]),
  'custom-v1beta2-empty-list.json': () => renderMetricValueList('v1beta2', []),
  'external-v1beta1-list.json': () =>
    renderExternalMetricValueList([
      { metricName: 'queue_messages_ready', metricLabels: { vhost: '/', queue: 'worker_tasks' }, timestamp: at(10, 20, 15), value: 1500 },
    ]),
  'podmetrics-list.json': () => renderPodMetricsList([samplePod()]),
  'podmetrics-single.json': () => renderPodMetrics(samplePod()),
  'nodemetrics-list.json': () =>
    renderNodeMetricsList([
      {
        metadata: {
          name: 'node-1',
          creationTimestamp: at(10, 20, 41),
          labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'node-1' },
        },
        timestamp: t0,
        windowSeconds: 20.027,
        usage: { cpu: 0.187401521, memory: 1397644 * 1024 },
      },
    ]),
  'discovery-custom-v1beta1.json': () => customMetricsResourceList('v1beta1', customInfos),
  'discovery-custom-v1beta2.json': () => customMetricsResourceList('v1beta2', customInfos),
  'discovery-custom-v1beta1-empty.json': () => customMetricsResourceList('v1beta1', []),
  'discovery-external-v1beta1.json': () => externalMetricsResourceList(externalInfos),
  'discovery-metrics-v1beta1.json': () => resourceMetricsResourceList(),
  'discovery-apis.json': () =>
    renderAPIGroupList([
      { ...customGroup, serverAddressByClientCIDRs: cidrs },
      { name: EXTERNAL_METRICS_GROUP, versions: ['v1beta1'], serverAddressByClientCIDRs: cidrs },
    ]),
  'discovery-group-custom.json': () => renderAPIGroup(customGroup),
  'discovery-group-custom-aggregator.json': () => renderAPIGroup({ name: CUSTOM_METRICS_GROUP, versions: ['v1beta2', 'v1beta1'] }),
  'discovery-aggregated-v2.json': () =>
    renderAggregatedDiscovery([
      [customMetricsResourceList('v1beta2', customInfos), customMetricsResourceList('v1beta1', customInfos)],
      [externalMetricsResourceList(externalInfos)],
    ]),
  'status-notfound-metric.json': () => metricNotFound({ group: '', resource: 'pods' }, 'http_requests').toStatus(),
  'status-notfound.json': () =>
    metricNotFoundFor({ group: '', resource: 'pods' }, 'http_requests', 'sample-app-7cfb596f98-8h5bd').toStatus(),
  'status-notfound-route.json': () => routeNotFound().toStatus(),
  'status-podmetrics-notfound.json': () => podMetricsNotFound('default', 'sample-app-7cfb596f98-8h5bd').toStatus(),
  'status-badrequest-path.json': () => invalidRequestPath().toStatus(),
  'status-badrequest-selector.json': () =>
    new BadRequestError("unable to parse requirement: found 'sample-app' expected: '('").toStatus(),
  'status-internal-metricselector.json': () =>
    new PlainInternalError("found '=', expected: ',' or 'end of string'").toStatus(),
  'status-internalerror.json': () => new InternalError('unable to fetch metrics').toStatus(),
  'status-unauthorized.json': () => new UnauthorizedError().toStatus(),
  'status-methodnotallowed.json': () => new MethodNotAllowedError().toStatus(),
  'status-forbidden.json': () =>
    forbiddenFor(
      {
        resourceRequest: true,
        verb: 'get',
        apiGroup: CUSTOM_METRICS_GROUP,
        resource: 'pods',
        subresource: 'http_requests',
        namespace: 'default',
        name: '*',
      },
      'system:serviceaccount:default:default',
    ).toStatus(),
};

describe('contract fixtures are reproduced byte for byte', () => {
  const files = readdirSync(contractDir).filter((f) => f.endsWith('.json')).sort();

  it('every fixture is either rendered here or listed as a request document', () => {
    const unaccounted = files.filter((f) => !(f in documents) && !NOT_RENDERED.has(f));
    expect(unaccounted).toEqual([]);
    expect(Object.keys(documents).filter((f) => !files.includes(f))).toEqual([]);
  });

  for (const file of Object.keys(documents).sort()) {
    it(file, () => {
      const expected = readFileSync(path.join(contractDir, file), 'utf8');
      const actual = encodeJSON(documents[file]());
      // The fixtures are Go encoder output: compact with a trailing newline.
      expect(actual).toBe(expected);
    });
  }
});
