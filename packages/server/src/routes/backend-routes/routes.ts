import type { Context, Middleware } from 'koa';
import {
  BadRequestError,
  InternalError,
  MethodNotAllowedError,
  UnauthorizedError,
  type BackendRoute,
  type BackendRouteRequest,
  type Logger,
} from '@custom-metrics/core';
import type { BackendRegistry } from '../../backends/registry.js';
import { requestSignal, type RequestState } from '../deps.js';
import { sendDocument } from '../respond.js';
import { pathSegments, routeNotFound } from '../request.js';

/** The prefix the server owns for backend routes: `/backends/<instance>/<route path>`. */
export const BACKENDS_PREFIX = '/backends';

/** A route path split into segments: literals, and `{param}` for `:param`. */
type CompiledPath = ReadonlyArray<{ literal: string } | { param: string }>;

const compiled = new WeakMap<BackendRoute, CompiledPath>();

/**
 * compileRoutePath checks and splits a {@link BackendRoute} path (`/seg/:param/...`).
 * @throws {Error} naming what is wrong (the container reports it as a config error of the backend).
 */
export function compileRoutePath(path: string): CompiledPath {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/') throw new Error(`route path ${JSON.stringify(path)} must start with "/" and name at least one segment`);
  const names = new Set<string>();
  return path
    .slice(1)
    .split('/')
    .map((seg) => {
      if (seg === '') throw new Error(`route path ${JSON.stringify(path)} has an empty segment`);
      if (!seg.startsWith(':')) return { literal: seg };
      const param = seg.slice(1);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(param)) throw new Error(`route path ${JSON.stringify(path)}: parameter "${seg}" must be ":" followed by a name`);
      if (names.has(param)) throw new Error(`route path ${JSON.stringify(path)} repeats the parameter "${seg}"`);
      names.add(param);
      return { param };
    });
}

/**
 * checkBackendRoutes validates an instance's routes (methods, paths, handlers).
 * @throws {Error} for the first bad one.
 */
export function checkBackendRoutes(routes: unknown): void {
  if (routes === undefined) return;
  if (!Array.isArray(routes)) throw new Error('routes must be an array of {method, path, handle}');
  for (const r of routes as BackendRoute[]) {
    if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(r?.method)) throw new Error(`route method ${JSON.stringify(r?.method)} must be one of GET, POST, PUT, PATCH, DELETE`);
    if (typeof r.handle !== 'function') throw new Error(`route ${r.method} ${String(r.path)} has no handle function`);
    compiled.set(r, compileRoutePath(r.path));
  }
}

function match(route: BackendRoute, segments: readonly string[]): Record<string, string> | undefined {
  let path = compiled.get(route);
  if (!path) {
    path = compileRoutePath(route.path);
    compiled.set(route, path);
  }
  if (path.length !== segments.length) return undefined;
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [i, p] of path.entries()) {
    if ('literal' in p) {
      if (p.literal !== segments[i]) return undefined;
    } else params[p.param] = segments[i];
  }
  return params;
}

function queryOf(ctx: Context): Record<string, string[]> {
  const query: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [k, v] of new URLSearchParams(ctx.querystring)) (query[k] ??= []).push(v);
  return query;
}

/** Reads the request body as UTF-8, refusing (400) more than `limit` bytes. */
async function readBody(ctx: Context, limit: number): Promise<string> {
  const tooLarge = () => new BadRequestError(`request body is larger than ${limit} bytes`);
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * backendRoutesHandler serves the routes backend instances contribute ({@link BackendRoute}) under
 * `/backends/<instance>/…`: 404 for an unknown instance, one without routes or a path no route
 * matches; 405 for a matching path with another method; 401 for anonymous users (authorization
 * already ran: a non-resource SubjectAccessReview of the full path, verb = lower-cased method).
 * After a successful route other than `GET`, the registry re-reads the metric lists.
 */
export function backendRoutesHandler(registry: BackendRegistry, logger: Logger): Middleware {
  return async function backendRoute(ctx: Context) {
    const segments = pathSegments(ctx.path, BACKENDS_PREFIX);
    const backend = segments.length >= 2 ? registry.forRequest(ctx.req).backends.find((b) => b.name === segments[0]) : undefined;
    const routes = backend?.instance.routes ?? [];
    const rest = segments.slice(1);
    let pathMatched = false;
    for (const route of routes) {
      const params = match(route, rest);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== ctx.method && !(route.method === 'GET' && ctx.method === 'HEAD')) continue;
      const user = (ctx.state as RequestState).user;
      if (!user || user.name === 'system:anonymous') throw new UnauthorizedError();
      const request: BackendRouteRequest = { params, query: queryOf(ctx), user: { name: user.name, groups: [...user.groups] }, signal: requestSignal(ctx), body: (limit) => readBody(ctx, limit) };
      const res = await route.handle(request);
      if (!res || !Number.isInteger(res.status) || res.status < 200 || res.status > 299) {
        logger.error({ backend: backend?.name, route: `${route.method} ${route.path}`, status: res?.status }, 'backend route returned no 2xx status (errors must be thrown as MetricsErrors)');
        throw new InternalError(`backend "${backend?.name}" answered the route ${route.method} ${route.path} with no 2xx status`);
      }
      if (route.method !== 'GET') registry.invalidate(ctx.req);
      sendDocument(ctx, res.body ?? {}, res.status);
      return;
    }
    throw pathMatched ? new MethodNotAllowedError() : routeNotFound();
  };
}
