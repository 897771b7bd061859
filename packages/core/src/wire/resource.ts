/** metrics.k8s.io v1beta1 PodMetrics / NodeMetrics documents, metrics-server style (contract §2.4). */
import type { MetricsObjectMeta, NodeMetrics, PodMetrics, ResourceUsage } from '../model.js';
import { formatBinaryQuantity, formatNanoCores } from '../quantity-format.js';
import { RESOURCE_METRICS_GROUP, V1BETA1 } from './groups.js';
import { goMap } from './json.js';
import { formatGoDuration, formatKubeTime } from './time.js';

const API_VERSION = `${RESOURCE_METRICS_GROUP}/${V1BETA1}`;

/** ObjectMeta on the wire (the fields metrics-server sets, in Go order). */
export interface WireObjectMeta {
  name?: string;
  namespace?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
}

/** `{cpu, memory}` as quantities. */
export type WireUsage = Record<string, string>;

/** One PodMetrics (`kind`/`apiVersion` only when top-level). */
export interface WirePodMetrics {
  kind?: 'PodMetrics';
  apiVersion?: string;
  metadata: WireObjectMeta;
  timestamp: string;
  window: string;
  containers: Array<{ name: string; usage: WireUsage }>;
}

/** One NodeMetrics (`kind`/`apiVersion` only when top-level). */
export interface WireNodeMetrics {
  kind?: 'NodeMetrics';
  apiVersion?: string;
  metadata: WireObjectMeta;
  timestamp: string;
  window: string;
  usage: WireUsage;
}

/** A PodMetricsList or NodeMetricsList. */
export interface WireMetricsList<T> {
  kind: 'PodMetricsList' | 'NodeMetricsList';
  apiVersion: string;
  metadata: Record<string, never>;
  items: T[];
}

function renderMeta(m: MetricsObjectMeta): WireObjectMeta {
  return {
    name: m.name ? m.name : undefined,
    namespace: m.namespace ? m.namespace : undefined,
    creationTimestamp: m.creationTimestamp ? formatKubeTime(m.creationTimestamp) : undefined,
    labels: m.labels && Object.keys(m.labels).length > 0 ? goMap(m.labels) : undefined,
  };
}

/** A ResourceList map: CPU in nano-cores (`4263307n`), memory BinarySI (`24100Ki`). */
function renderUsage(u: ResourceUsage): WireUsage {
  return goMap({ cpu: formatNanoCores(u.cpu), memory: formatBinaryQuantity(u.memory) });
}

function podItem(p: PodMetrics): WirePodMetrics {
  return {
    metadata: renderMeta(p.metadata),
    timestamp: formatKubeTime(p.timestamp),
    window: formatGoDuration(p.windowSeconds),
    containers: p.containers.map((c) => ({ name: c.name, usage: renderUsage(c.usage) })),
  };
}

function nodeItem(n: NodeMetrics): WireNodeMetrics {
  return {
    metadata: renderMeta(n.metadata),
    timestamp: formatKubeTime(n.timestamp),
    window: formatGoDuration(n.windowSeconds),
    usage: renderUsage(n.usage),
  };
}

/** A top-level `PodMetrics` (`GET .../namespaces/<ns>/pods/<name>`). */
export function renderPodMetrics(item: PodMetrics): WirePodMetrics {
  return { kind: 'PodMetrics', apiVersion: API_VERSION, ...podItem(item) };
}

/** A `PodMetricsList` (items without kind). */
export function renderPodMetricsList(items: readonly PodMetrics[]): WireMetricsList<WirePodMetrics> {
  return { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items: items.map(podItem) };
}

/** A top-level `NodeMetrics` (`GET .../nodes/<name>`). */
export function renderNodeMetrics(item: NodeMetrics): WireNodeMetrics {
  return { kind: 'NodeMetrics', apiVersion: API_VERSION, ...nodeItem(item) };
}

/** A `NodeMetricsList` (items without kind). */
export function renderNodeMetricsList(items: readonly NodeMetrics[]): WireMetricsList<WireNodeMetrics> {
  return { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items: items.map(nodeItem) };
}
