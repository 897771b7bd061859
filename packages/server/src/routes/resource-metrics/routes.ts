import type { Context, Middleware } from 'koa';
import {
  nodeMetricsNotFound,
  podMetricsNotFound,
  resourceNotFound,
  RESOURCE_METRICS_GROUP,
  encodeNodeMetricsList,
  encodePodMetricsList,
  renderNodeMetrics,
  renderNodeMetricsList,
  renderPodMetrics,
  renderPodMetricsList,
  resourceMetricsResourceList,
  type KubeObject,
  type NodeMetrics,
  type PodMetrics,
} from '@custom-metrics/core';
import { callBackend } from '../../backends/call.js';
import type { Route } from '../../backends/registry.js';
import type { ResourceMetricsProvider } from '@custom-metrics/core';
import { requestSignal, type RouteDeps, requestDeps } from '../deps.js';
import { apiGroupDocument } from '../discovery/documents.js';
import { sendDocument, sendEncoded } from '../respond.js';
import { FIELD_SELECTOR_FIELDS, fieldsMatch, parseFieldSelector, pathSegments, queryParams, rejectWatch, requireGet, routeNotFound, selectorParam } from '../request.js';
import { parseResourceMetricsPath, RESOURCE_VERSION } from './schema.js';

/** The path prefix of the group. */
export const RESOURCE_PREFIX = '/apis/metrics.k8s.io';

const PODS = { group: '', resource: 'pods' };
const NODES = { group: '', resource: 'nodes' };

/**
 * resourceMetricsHandler serves metrics.k8s.io v1beta1 with metrics-server semantics (contract
 * §1.4): pods and nodes come from the KubeLookup (label and field selectors), their usage from
 * the backend offering resource metrics; items without metrics are omitted from lists, and a
 * single GET without metrics is a 404 `podmetrics`/`nodemetrics` Status. The group is only served
 * when some backend offers resource metrics.
 */
export function resourceMetricsHandler(appDeps: RouteDeps): Middleware {
  return async function resourceMetrics(ctx: Context) {
    const deps = requestDeps(appDeps, ctx);
    const route = deps.registry.resourceProvider();
    if (!route) throw routeNotFound();
    const seg = pathSegments(ctx.path, RESOURCE_PREFIX);
    if (seg.length === 0) {
      requireGet(ctx);
      sendDocument(ctx, apiGroupDocument(RESOURCE_METRICS_GROUP));
      return;
    }
    if (seg[0] !== RESOURCE_VERSION) throw routeNotFound();
    if (seg.length === 1) {
      requireGet(ctx);
      sendDocument(ctx, resourceMetricsResourceList());
      return;
    }
    const path = parseResourceMetricsPath(seg.slice(1));
    requireGet(ctx);
    const params = queryParams(ctx);
    const labelSelector = selectorParam(params, 'labelSelector');
    const fields = parseFieldSelector(params.get('fieldSelector'), FIELD_SELECTOR_FIELDS);
    // A list with `watch` is metrics-server's 405 (its storage cannot watch); a single GET ignores it.
    if (path.kind === 'pods' || path.kind === 'nodes') rejectWatch(params, { group: RESOURCE_METRICS_GROUP, resource: path.kind });
    const signal = requestSignal(ctx);
    const now = deps.now();
    switch (path.kind) {
      case 'nodes': {
        const nodes = (await deps.kube.listObjects(NODES, '', labelSelector)).filter((n) => fieldsMatch(fields, objectFields(n)));
        const metrics = await nodeMetrics(deps, route, nodes, signal);
        const items: NodeMetrics[] = [];
        metrics.forEach((m, i) => {
          if (m) items.push(withMeta(m, nodes[i], now));
        });
        const sorted = sortByName(items);
        // Past the deadline the 503 has been answered: nothing to encode.
        if (!signal.aborted) sendEncoded(ctx, () => encodeNodeMetricsList(sorted), () => renderNodeMetricsList(sorted));
        return;
      }
      case 'node': {
        const node = await deps.kube.getObject(NODES, '', path.name);
        if (!node) throw resourceNotFound(NODES, path.name);
        const [m] = await nodeMetrics(deps, route, [node], signal);
        if (!m) throw nodeMetricsNotFound(path.name);
        sendIfLive(ctx, signal, renderNodeMetrics(withMeta(m, node, now)));
        return;
      }
      case 'pods': {
        const pods = (await deps.kube.listObjects(PODS, path.namespace, labelSelector)).filter((p) => fieldsMatch(fields, objectFields(p)));
        const metrics = await podMetrics(deps, route, pods, signal);
        const items: PodMetrics[] = [];
        metrics.forEach((m, i) => {
          if (m) items.push(withMeta(m, pods[i], now));
        });
        const sorted = sortByName(items);
        // Past the deadline the 503 has been answered: nothing to encode.
        if (!signal.aborted) sendEncoded(ctx, () => encodePodMetricsList(sorted), () => renderPodMetricsList(sorted));
        return;
      }
      case 'pod': {
        const pod = await deps.kube.getObject(PODS, path.namespace, path.name);
        if (!pod) throw resourceNotFound(PODS, path.name);
        const [m] = await podMetrics(deps, route, [pod], signal);
        if (!m) throw podMetricsNotFound(path.namespace, path.name);
        sendIfLive(ctx, signal, renderPodMetrics(withMeta(m, pod, now)));
        return;
      }
    }
  };
}

function sendIfLive(ctx: Context, signal: AbortSignal, doc: unknown): void {
  if (!signal.aborted) sendDocument(ctx, doc);
}

function objectFields(o: KubeObject): Record<string, string> {
  return { 'metadata.name': o.name, 'metadata.namespace': o.namespace ?? '' };
}

/** Fills metadata as metrics-server does: the object's name, namespace and labels; creationTimestamp now. */
function withMeta<T extends PodMetrics | NodeMetrics>(m: T, o: KubeObject | undefined, now: Date): T {
  const metadata = { ...m.metadata };
  if (o) {
    metadata.name = o.name;
    if (o.namespace !== undefined) metadata.namespace = o.namespace;
    if (metadata.labels === undefined && Object.keys(o.labels).length > 0) metadata.labels = { ...o.labels };
  }
  metadata.creationTimestamp ??= now;
  return { ...m, metadata };
}

function sortByName<T extends PodMetrics | NodeMetrics>(items: T[]): T[] {
  return items.sort((a, b) => {
    const an = a.metadata.namespace ?? '';
    const bn = b.metadata.namespace ?? '';
    if (an !== bn) return an < bn ? -1 : 1;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  });
}

async function podMetrics(deps: RouteDeps, route: Route<ResourceMetricsProvider>, pods: KubeObject[], signal: AbortSignal): Promise<Array<PodMetrics | undefined>> {
  if (pods.length === 0) return [];
  const out = await callBackend(route.backend, 'getPodMetrics', signal, deps, () => route.provider.getPodMetrics({ pods, signal }));
  return pods.map((_, i) => out[i]);
}

async function nodeMetrics(deps: RouteDeps, route: Route<ResourceMetricsProvider>, nodes: KubeObject[], signal: AbortSignal): Promise<Array<NodeMetrics | undefined>> {
  if (nodes.length === 0) return [];
  const out = await callBackend(route.backend, 'getNodeMetrics', signal, deps, () => route.provider.getNodeMetrics({ nodes, signal }));
  return nodes.map((_, i) => out[i]);
}
