import Router from '@koa/router';
import type { Middleware } from 'koa';
import { routeNotFound } from '@custom-metrics/core';
import { BACKENDS_PREFIX, backendRoutesHandler } from './backend-routes/routes.js';
import { CUSTOM_PREFIX, customMetricsHandler } from './custom-metrics/routes.js';
import type { RouteDeps } from './deps.js';
import { apisHandler } from './discovery/routes.js';
import { EXTERNAL_PREFIX, externalMetricsHandler } from './external-metrics/routes.js';
import { healthHandler } from './health/routes.js';
import { OPENAPI_PREFIX, openAPIHandler } from './openapi/routes.js';
import { RESOURCE_PREFIX, resourceMetricsHandler } from './resource-metrics/routes.js';
import { selfMetricsHandler } from './self-metrics/routes.js';

/** A metric API group's handler: it serves `prefix` and every path below it. */
export interface MetricGroupRoute {
  readonly prefix: string;
  readonly handler: Middleware;
}

/**
 * metricGroupRoutes builds the handlers of the three metric API groups (custom, external,
 * resource metrics). The router and the pre-composed request path (`http/fast-path.ts`) share
 * these instances.
 */
export function metricGroupRoutes(deps: RouteDeps): MetricGroupRoute[] {
  return [
    { prefix: CUSTOM_PREFIX, handler: customMetricsHandler(deps) },
    { prefix: EXTERNAL_PREFIX, handler: externalMetricsHandler(deps) },
    { prefix: RESOURCE_PREFIX, handler: resourceMetricsHandler(deps) },
  ];
}

/**
 * buildRouter composes every route of the server (contract §1). Routes are registered for all
 * methods and check the method themselves, so a known path with another method is a 405 Status
 * and an unknown path a 404 Status, as go-restful answers. Paths are case-sensitive and strict
 * about trailing slashes.
 */
export function buildRouter(deps: RouteDeps, groups: readonly MetricGroupRoute[] = metricGroupRoutes(deps)): Router {
  const router = new Router({ sensitive: true, strict: true });
  router.all('/apis', apisHandler(deps));
  for (const { prefix, handler } of groups) {
    router.all(prefix, handler);
    router.all(`${prefix}/{*rest}`, handler);
  }
  router.all('/healthz', healthHandler(deps.health, 'healthz'));
  router.all('/livez', healthHandler(deps.health, 'livez'));
  router.all('/readyz', healthHandler(deps.health, 'readyz'));
  router.all('/metrics', selfMetricsHandler(deps.metrics));
  const openAPI = openAPIHandler(deps);
  router.all(`${OPENAPI_PREFIX}/v2`, openAPI);
  router.all(`${OPENAPI_PREFIX}/v3`, openAPI);
  router.all(`${OPENAPI_PREFIX}/v3/{*rest}`, openAPI);
  router.all(`${BACKENDS_PREFIX}/{*rest}`, backendRoutesHandler(deps.registry, deps.logger));
  return router;
}

/** notFound is the last middleware: whatever no route answered is the go-restful 404 Status. */
export function notFound(): Middleware {
  return async function routeMissing() {
    throw routeNotFound();
  };
}
