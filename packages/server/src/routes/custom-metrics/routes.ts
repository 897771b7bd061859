import type { Context, Middleware } from 'koa';
import {
  BadRequestError,
  CUSTOM_METRICS_GROUP,
  customMetricsResourceList,
  encodeMetricValueList,
  metricNotFound,
  groupResourceString,
  isMetricsError,
  NotFoundError,
  renderMetricValueList,
  type CustomMetricInfo,
  type CustomMetricsProvider,
  type MetricValue,
  Selector,
} from '@custom-metrics/core';
import { callBackend } from '../../backends/call.js';
import type { RegisteredBackend } from '../../backends/registry.js';
import { providerSignal, requestAborted, requestCancellation, type Cancellation, type RouteDeps, requestDeps } from '../deps.js';
import { unlistedMetricError } from '../pending.js';
import { apiGroupDocument } from '../discovery/documents.js';
import { sendDocument, sendEncoded, sendSharedDocument } from '../respond.js';
import { FIELD_SELECTOR_FIELDS, parseFieldSelector, pathSegments, queryParams, rejectWatch, requireGet, routeNotFound, selectorParam } from '../request.js';
import { CUSTOM_VERSIONS, parseCustomMetricPath, type CustomMetricPath, type CustomVersion } from './schema.js';

/** The path prefix of the group. */
export const CUSTOM_PREFIX = `/apis/custom.metrics.k8s.io`;

/**
 * customMetricsHandler serves everything under `/apis/custom.metrics.k8s.io`: the APIGroup, the
 * APIResourceList of each version, and the metric routes R1/R2/R3 of contract §1.2.
 */
export function customMetricsHandler(appDeps: RouteDeps): Middleware {
  return async function customMetrics(ctx: Context) {
    const deps = requestDeps(appDeps, ctx);
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
      sendSharedDocument(ctx, deps.registry.documentFor(`custom/${version}`, () => customMetricsResourceList(version, deps.registry.customMetrics())));
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
    rejectWatch(params, CUSTOM_WATCH_RESOURCE);
    const items = await getCustomMetric(deps, path, selector, metricSelector, requestCancellation(ctx));
    if (requestAborted(ctx)) return;
    sendEncoded(
      ctx,
      () => encodeMetricValueList(version, items),
      () => renderMetricValueList(version, items),
    );
  };
}

/** What upstream's request scope names in the watch 405 (`<group>/<version>` resource `*`). */
const CUSTOM_WATCH_RESOURCE = { group: CUSTOM_METRICS_GROUP, resource: '*' };

/**
 * The `fieldSelector` check of apiserver's list handler: the selector must parse, name only
 * `metadata.name`/`metadata.namespace` (400 otherwise), and, since the path always names an object
 * (or `*`), a non-empty one must require `metadata.name=<that name>` (400 `fieldSelector
 * metadata.name doesn't match requested name`).
 */
function checkFieldSelector(text: string | null, name: string): void {
  const reqs = parseFieldSelector(text, FIELD_SELECTOR_FIELDS);
  if (reqs.length === 0) return;
  if (!reqs.some((r) => r.field === 'metadata.name' && r.operator === '=' && r.value === name)) {
    throw new BadRequestError("fieldSelector metadata.name doesn't match requested name");
  }
}

/**
 * Whether the resource of a cluster-scoped request (R1) is namespaced: as its listing backend
 * says, else as the cluster's discovery says (an unknown resource is left to the backends).
 */
async function isNamespacedResource(deps: RouteDeps, path: CustomMetricPath, listed: CustomMetricInfo | undefined): Promise<boolean> {
  if (listed) return listed.namespaced;
  try {
    return await deps.kube.isNamespaced(path.groupResource);
  } catch (e) {
    if (isMetricsError(e) && (e as { code: number }).code === 404) return false;
    throw e;
  }
}

/**
 * The 404 for a namespaced resource on the cluster-scoped route (`pods/<name>/m` with name `*` would list every
 * namespace): upstream's provider finds no metric `{pods, namespaced: false}` and answers
 * `NewMetricNotFoundError`; we keep that message and say which path to use instead.
 */
function namespacedOnClusterRoute(path: CustomMetricPath): NotFoundError {
  const gr = groupResourceString(path.groupResource);
  const upstream = metricNotFound(path.groupResource, path.metric).message;
  return new NotFoundError(
    `${upstream}: ${gr} is a namespaced resource, so its metrics are only served per namespace: ` +
      `ask for namespaces/<namespace>/${gr}/${path.name}/${path.metric} instead`,
  );
}

/**
 * getCustomMetric routes one request to the backend instance listing the metric (or, when none
 * does, to the `lookupOnDemand` instances in priority order), and returns its values. The
 * provider gets the request's AbortSignal unless it answers from memory ({@link providerSignal}).
 */
export async function getCustomMetric(
  deps: RouteDeps,
  path: CustomMetricPath,
  selector: Selector,
  metricSelector: Selector,
  cancellation: Cancellation,
): Promise<MetricValue[]> {
  const info: CustomMetricInfo = { groupResource: path.groupResource, namespaced: path.namespace !== '', metric: path.metric };
  const routed = deps.registry.customFor(path.groupResource, path.metric);
  if (path.namespace === '' && (await isNamespacedResource(deps, path, routed?.info))) throw namespacedOnClusterRoute(path);
  const candidates: Array<{ backend: RegisteredBackend; provider: CustomMetricsProvider }> = routed ? [routed] : deps.registry.onDemandCustom();
  // The 404 is built only when no candidate answers: no Error on the happy path.
  let lastNotFound: unknown;
  for (const { backend, provider } of candidates) {
    try {
      if (path.name === '*') {
        return await callBackend(backend, 'getMetricBySelector', cancellation, deps, () =>
          provider.getMetricBySelector({ namespace: path.namespace, selector, info, metricSelector, signal: providerSignal(provider, cancellation) }),
        );
      }
      const one = await callBackend(backend, 'getMetricByName', cancellation, deps, () =>
        provider.getMetricByName({ namespace: path.namespace, name: path.name, info, metricSelector, signal: providerSignal(provider, cancellation) }),
      );
      return [one];
    } catch (e) {
      // An on-demand instance whose discovery has not succeeded yet cannot tell either way: the
      // answer after the loop names every such instance (503), as for a metric nobody lists.
      if (!routed && deps.registry.pending('custom').some((p) => p.name === backend.name)) continue;
      if (routed || !isMetricsError(e) || (e as { code: number }).code !== 404) throw e;
      lastNotFound = e;
    }
  }
  const notFound = lastNotFound ?? metricNotFound(path.groupResource, path.metric);
  throw routed ? notFound : unlistedMetricError(deps, 'custom', notFound);
}
