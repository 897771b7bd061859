import type { Context, Middleware } from 'koa';
import {
  BadRequestError,
  CUSTOM_METRICS_GROUP,
  customMetricsResourceList,
  metricNotFound,
  isMetricsError,
  renderMetricValueList,
  type CustomMetricInfo,
  type CustomMetricsProvider,
  type MetricValue,
  Selector,
} from '@custom-metrics/core';
import { callBackend } from '../../backends/call.js';
import type { RegisteredBackend } from '../../backends/registry.js';
import { requestSignal, type RouteDeps } from '../deps.js';
import { apiGroupDocument } from '../discovery/documents.js';
import { sendDocument } from '../respond.js';
import { pathSegments, queryParams, requireGet, routeNotFound, selectorParam } from '../request.js';
import { CUSTOM_VERSIONS, parseCustomMetricPath, type CustomMetricPath, type CustomVersion } from './schema.js';

/** The path prefix of the group. */
export const CUSTOM_PREFIX = `/apis/custom.metrics.k8s.io`;

/**
 * customMetricsHandler serves everything under `/apis/custom.metrics.k8s.io`: the APIGroup, the
 * APIResourceList of each version, and the metric routes R1/R2/R3 of contract §1.2.
 */
export function customMetricsHandler(deps: RouteDeps): Middleware {
  return async function customMetrics(ctx: Context) {
    const seg = pathSegments(ctx.path, CUSTOM_PREFIX);
    if (seg.length === 0) {
      requireGet(ctx);
      sendDocument(ctx, apiGroupDocument(CUSTOM_METRICS_GROUP));
      return;
    }
    const version = seg[0] as CustomVersion;
    if (!CUSTOM_VERSIONS.includes(version)) throw routeNotFound();
    if (seg.length === 1) {
      requireGet(ctx);
      sendDocument(ctx, customMetricsResourceList(version, deps.registry.customMetrics()));
      return;
    }
    let path: CustomMetricPath;
    try {
      path = parseCustomMetricPath(seg.slice(1));
    } catch (e) {
      // go-restful routes first (404), then checks the method (405); the 400 comes from the handler.
      if (isMetricsError(e) && (e as { code: number }).code === 400) requireGet(ctx);
      throw e;
    }
    requireGet(ctx);
    const params = queryParams(ctx);
    // labelSelector is decoded (a bad one is a 400) for every request, but only used with name `*`.
    const labelSelector = selectorParam(params, 'labelSelector');
    const selector = path.name === '*' ? labelSelector : Selector.everything();
    // Deviation from custom-metrics-apiserver (which answers 500): a bad metricLabelSelector is a 400.
    const metricSelector = selectorParam(params, 'metricLabelSelector');
    checkFieldSelector(params.get('fieldSelector'), path.name);
    const items = await getCustomMetric(deps, path, selector, metricSelector, requestSignal(ctx));
    if (requestSignal(ctx).aborted) return;
    sendDocument(ctx, renderMetricValueList(version, items));
  };
}

/** apiserver injects `metadata.name=<name>` into the field selector; a conflicting one is a 400. */
function checkFieldSelector(text: string | null, name: string): void {
  if (text === null || text === '') return;
  for (const term of text.split(',')) {
    const m = /^\s*metadata\.name\s*(==|=)\s*(.*?)\s*$/.exec(term);
    if (m && m[2] !== name) throw new BadRequestError("fieldSelector metadata.name doesn't match requested name");
  }
}

/**
 * getCustomMetric routes one request to the backend instance listing the metric (or, when none
 * does, to the `lookupOnDemand` instances in priority order), and returns its values.
 */
export async function getCustomMetric(
  deps: RouteDeps,
  path: CustomMetricPath,
  selector: Selector,
  metricSelector: Selector,
  signal: AbortSignal,
): Promise<MetricValue[]> {
  const info: CustomMetricInfo = { groupResource: path.groupResource, namespaced: path.namespace !== '', metric: path.metric };
  const routed = deps.registry.customFor(path.groupResource, path.metric);
  const candidates: Array<{ backend: RegisteredBackend; provider: CustomMetricsProvider }> = routed ? [routed] : deps.registry.onDemandCustom();
  // The 404 is built only when no candidate answers: no Error on the happy path.
  let lastNotFound: unknown;
  for (const { backend, provider } of candidates) {
    try {
      if (path.name === '*') {
        return await callBackend(backend, 'getMetricBySelector', signal, deps, () =>
          provider.getMetricBySelector({ namespace: path.namespace, selector, info, metricSelector, signal }),
        );
      }
      const one = await callBackend(backend, 'getMetricByName', signal, deps, () =>
        provider.getMetricByName({ namespace: path.namespace, name: path.name, info, metricSelector, signal }),
      );
      return [one];
    } catch (e) {
      if (routed || !isMetricsError(e) || (e as { code: number }).code !== 404) throw e;
      lastNotFound = e;
    }
  }
  throw lastNotFound ?? metricNotFound(path.groupResource, path.metric);
}
