import type { Context, Middleware } from 'koa';
import { requestDeps, type RouteDeps } from '../deps.js';
import { sendSharedDocument } from '../respond.js';
import { requireGet } from '../request.js';
import { acceptsAggregatedV2, AGGREGATED_V2_MEDIA_TYPE } from './accept.js';
import { aggregatedDiscoveryDocument, apiGroupListDocument, servedGroups } from './documents.js';

/**
 * apisHandler serves `GET /apis`: the legacy APIGroupList (custom.metrics.k8s.io advertised as
 * v1beta1 only, as custom-metrics-apiserver does), or — when the Accept header asks for it — the
 * aggregated discovery v2 document with its own Content-Type. It never answers 503.
 */
export function apisHandler(appDeps: RouteDeps): Middleware {
  return async function apis(ctx: Context) {
    const deps = requestDeps(appDeps, ctx);
    requireGet(ctx);
    const registry = deps.registry;
    if (acceptsAggregatedV2(ctx.get('accept'))) {
      sendSharedDocument(ctx, registry.documentFor('apis/aggregated', () => aggregatedDiscoveryDocument(registry, servedGroups(registry))) as object, AGGREGATED_V2_MEDIA_TYPE);
      ctx.vary('Accept');
      return;
    }
    sendSharedDocument(ctx, registry.documentFor('apis', () => apiGroupListDocument(servedGroups(registry))) as object);
    ctx.vary('Accept');
  };
}

