import type { Context, Middleware } from 'koa';
import { requestDeps, type RouteDeps } from '../deps.js';
import { sendDocument } from '../respond.js';
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
    const groups = servedGroups(deps.registry);
    if (acceptsAggregatedV2(ctx.get('accept'))) {
      sendDocument(ctx, aggregatedDiscoveryDocument(deps.registry, groups), 200, AGGREGATED_V2_MEDIA_TYPE);
      ctx.vary('Accept');
      return;
    }
    sendDocument(ctx, apiGroupListDocument(groups));
    ctx.vary('Accept');
  };
}

