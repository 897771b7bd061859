import type { Context, Middleware } from 'koa';
import {
  EXTERNAL_METRICS_GROUP,
  externalMetricsResourceList,
  isMetricsError,
  NotFoundError,
  encodeExternalMetricValueList,
  renderExternalMetricValueList,
  type ExternalMetricValue,
  type ExternalMetricsProvider,
  type Selector,
} from '@custom-metrics/core';
import { callBackend } from '../../backends/call.js';
import type { RegisteredBackend } from '../../backends/registry.js';
import { providerSignal, requestAborted, requestCancellation, type Cancellation, type RouteDeps, requestDeps } from '../deps.js';
import { unlistedMetricError } from '../pending.js';
import { apiGroupDocument } from '../discovery/documents.js';
import { sendDocument, sendEncoded, sendSharedDocument } from '../respond.js';
import { FIELD_SELECTOR_FIELDS, parseFieldSelector, pathSegments, queryParams, rejectWatch, requireGet, routeNotFound, selectorParam } from '../request.js';
import { EXTERNAL_VERSION, parseExternalMetricPath, type ExternalMetricPath } from './schema.js';

/** The path prefix of the group. */
export const EXTERNAL_PREFIX = '/apis/external.metrics.k8s.io';

/**
 * externalMetricsHandler serves everything under `/apis/external.metrics.k8s.io`: the APIGroup,
 * the APIResourceList and `namespaces/{ns}/{metric}` (contract §1.3). Metric names are matched
 * case-insensitively, since the HPA's client lower-cases them.
 */
export function externalMetricsHandler(appDeps: RouteDeps): Middleware {
  return async function externalMetrics(ctx: Context) {
    const deps = requestDeps(appDeps, ctx);
    const seg = pathSegments(ctx.path, EXTERNAL_PREFIX);
    if (seg.length === 0) {
      requireGet(ctx);
      sendDocument(ctx, apiGroupDocument(EXTERNAL_METRICS_GROUP));
      return;
    }
    if (seg[0] !== EXTERNAL_VERSION) throw routeNotFound();
    if (seg.length === 1) {
      requireGet(ctx);
      sendSharedDocument(ctx, deps.registry.documentFor('external/v1beta1', () => externalMetricsResourceList(deps.registry.externalMetrics())));
      return;
    }
    const path = parseExternalMetricPath(seg.slice(1));
    requireGet(ctx);
    const params = queryParams(ctx);
    const metricSelector = selectorParam(params, 'labelSelector');
    // Decoded and checked as apiserver's ListOptions (a bad one is a 400), otherwise unused.
    parseFieldSelector(params.get('fieldSelector'), FIELD_SELECTOR_FIELDS);
    rejectWatch(params, { group: EXTERNAL_METRICS_GROUP, resource: '*' });
    const items = await getExternalMetric(deps, path, metricSelector, requestCancellation(ctx));
    if (requestAborted(ctx)) return;
    sendEncoded(
      ctx,
      () => encodeExternalMetricValueList(items),
      () => renderExternalMetricValueList(items),
    );
  };
}

/** getExternalMetric routes one request to the instance listing the metric (or the on-demand ones). */
export async function getExternalMetric(deps: RouteDeps, path: ExternalMetricPath, metricSelector: Selector, cancellation: Cancellation): Promise<ExternalMetricValue[]> {
  const routed = deps.registry.externalFor(path.metric);
  const candidates: Array<{ backend: RegisteredBackend; provider: ExternalMetricsProvider }> = routed ? [routed] : deps.registry.onDemandExternal();
  const metric = routed ? routed.info.metric : path.metric;
  // The 404 is built only when no candidate answers: no Error on the happy path.
  let lastNotFound: unknown;
  for (const { backend, provider } of candidates) {
    try {
      return await callBackend(backend, 'getExternalMetric', cancellation, deps, () =>
        provider.getExternalMetric({ namespace: path.namespace, metricSelector, info: { metric }, signal: providerSignal(provider, cancellation) }),
      );
    } catch (e) {
      // An on-demand instance whose discovery has not succeeded yet cannot tell either way: the
      // answer after the loop names every such instance (503), as for a metric nobody lists.
      if (!routed && deps.registry.pending('external').some((p) => p.name === backend.name)) continue;
      if (routed || !isMetricsError(e) || (e as { code: number }).code !== 404) throw e;
      lastNotFound = e;
    }
  }
  const notFound = lastNotFound ?? new NotFoundError(`the server could not find the external metric ${path.metric}`);
  throw routed ? notFound : unlistedMetricError(deps, 'external', notFound);
}
