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

/**
 * buildRouter composes every route of the server (contract §1). Routes are registered for all
 * methods and check the method themselves, so a known path with another method is a 405 Status
 * and an unknown path a 404 Status, as go-restful answers. Paths are case-sensitive and strict
 * about trailing slashes.
 */
export function buildRouter(deps: RouteDeps): Router {
  const router = new Router({ sensitive: true, strict: true });
  const group = (prefix: string, handler: Middleware) => {
    router.all(prefix, handler);
    router.all(`${prefix}/{*rest}`, handler);
  };
  router.all('/apis', apisHandler(deps));
  group(CUSTOM_PREFIX, customMetricsHandler(deps));
  group(EXTERNAL_PREFIX, externalMetricsHandler(deps));
  group(RESOURCE_PREFIX, resourceMetricsHandler(deps));
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
