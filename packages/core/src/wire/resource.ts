/** metrics.k8s.io v1beta1 PodMetrics / NodeMetrics documents, metrics-server style (contract §2.4). */
import type { MetricsObjectMeta, NodeMetrics, PodMetrics, ResourceUsage } from '../model.js';
import { formatBinaryQuantity, formatNanoCores } from '../quantity-format.js';
import { RESOURCE_METRICS_GROUP, V1BETA1 } from './groups.js';
import { encodeGoMap, encodeJSON, goMap, plainString, quoteString } from './json.js';
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

/** Whether metadata is an object whose name and namespace are strings or empty. */
const plainMeta = (m: MetricsObjectMeta | undefined): boolean =>
  typeof m === 'object' && m !== null && plainString(m.name) && plainString(m.namespace);

/** The `metadata` of {@link renderMeta}, encoded. */
function encodeMeta(m: MetricsObjectMeta): string {
  let out = '';
  if (m.name) out += `"name":${quoteString(m.name)}`;
  if (m.namespace) out += `${out === '' ? '' : ','}"namespace":${quoteString(m.namespace)}`;
  // RFC 3339 text needs no escaping.
  if (m.creationTimestamp) out += `${out === '' ? '' : ','}"creationTimestamp":"${formatKubeTime(m.creationTimestamp)}"`;
  if (m.labels && Object.keys(m.labels).length > 0) out += `${out === '' ? '' : ','}"labels":${encodeGoMap(m.labels)}`;
  return `{${out}}`;
}

/** The usage of {@link renderUsage}, encoded (`cpu` sorts before `memory`; quantities need no escaping). */
function encodeUsage(u: ResourceUsage): string {
  const cpu = formatNanoCores(u.cpu);
  const memory = formatBinaryQuantity(u.memory);
  return `{"cpu":"${cpu}","memory":"${memory}"}`;
}

/**
 * The bytes of `encodeJSON(renderPodMetricsList(items))`, written directly (no wire objects, no
 * generic encoding). Same checks and errors as {@link renderPodMetricsList}.
 */
export function encodePodMetricsList(items: readonly PodMetrics[]): string {
  for (const p of items) {
    if (!plainMeta(p.metadata) || !Array.isArray(p.containers) || !p.containers.every((c) => typeof c?.name === 'string')) {
      return encodeJSON(renderPodMetricsList(items));
    }
  }
  let out = `{"kind":"PodMetricsList","apiVersion":"${API_VERSION}","metadata":{},"items":[`;
  for (let i = 0; i < items.length; i++) {
    const p = items[i];
    const meta = encodeMeta(p.metadata);
    const timestamp = formatKubeTime(p.timestamp);
    const window = formatGoDuration(p.windowSeconds);
    let containers = '';
    for (let j = 0; j < p.containers.length; j++) {
      const c = p.containers[j];
      containers += `${j === 0 ? '' : ','}{"name":${quoteString(c.name)},"usage":${encodeUsage(c.usage)}}`;
    }
    // Duration text (digits, `.`, `h`, `m`, `s`, `µ`, `n`) needs no escaping.
    out += `${i === 0 ? '' : ','}{"metadata":${meta},"timestamp":"${timestamp}","window":"${window}","containers":[${containers}]}`;
  }
  return `${out}]}\n`;
}

/**
 * The bytes of `encodeJSON(renderNodeMetricsList(items))`, written directly (no wire objects, no
 * generic encoding). Same checks and errors as {@link renderNodeMetricsList}.
 */
export function encodeNodeMetricsList(items: readonly NodeMetrics[]): string {
  for (const n of items) {
    if (!plainMeta(n.metadata)) return encodeJSON(renderNodeMetricsList(items));
  }
  let out = `{"kind":"NodeMetricsList","apiVersion":"${API_VERSION}","metadata":{},"items":[`;
  for (let i = 0; i < items.length; i++) {
    const n = items[i];
    const meta = encodeMeta(n.metadata);
    const timestamp = formatKubeTime(n.timestamp);
    const window = formatGoDuration(n.windowSeconds);
    out += `${i === 0 ? '' : ','}{"metadata":${meta},"timestamp":"${timestamp}","window":"${window}","usage":${encodeUsage(n.usage)}}`;
  }
  return `${out}]}\n`;
}
