import type { Middleware } from 'koa';
import { ForbiddenError, ServiceUnavailableError } from '@custom-metrics/core';
import type { Logger } from '@custom-metrics/core';
import { parseRequestInfo, type RequestInfo } from '../http/request-info.js';
import type { SecurityState } from './authentication.js';
import type { AuthorizationAttributes, AuthorizationResult, SubjectAccessReviewAuthorizer } from './subject-access-review.js';
import { SubjectAccessReviewError } from './subject-access-review.js';

export type { AuthorizationAttributes, AuthorizationResult, Decision } from './subject-access-review.js';

/**
 * Authorizer decides whether a user may make a request (contract §7.5).
 */
export interface Authorizer {
  /**
   * authorize returns the decision for `attrs`; anything but `allow` is answered 403.
   * @throws a `MetricsError` (503 ServiceUnavailable) when the decision cannot be obtained.
   */
  authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult>;
}

/** Default `--authorization-always-allow-paths`. */
export const DEFAULT_ALWAYS_ALLOW_PATHS: readonly string[] = ['/healthz', '/readyz', '/livez'];
const MASTERS = 'system:masters';

/** apiserver's `path.NewAuthorizer` matcher: exact paths, or prefixes when the entry ends in `*`. */
export function pathMatcher(paths: readonly string[]): (path: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const raw of paths) {
    const p = '/' + raw.trim().replace(/^\/+/, '');
    if (p.endsWith('*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  return (path) => {
    const p = '/' + path.replace(/^\/+/, '');
    return exact.has(p) || prefixes.some((pre) => p.startsWith(pre));
  };
}

/**
 * DelegatingAuthorizer is apiserver's union: group `system:masters` allowed; always-allow paths
 * (non-resource requests only) allowed; otherwise a SubjectAccessReview (when kube-apiserver is
 * known), else denied. A failed review becomes a 503 ServiceUnavailable Status.
 */
export class DelegatingAuthorizer implements Authorizer {
  readonly #alwaysAllow: (path: string) => boolean;

  constructor(
    alwaysAllowPaths: readonly string[] = DEFAULT_ALWAYS_ALLOW_PATHS,
    private readonly sar?: Pick<SubjectAccessReviewAuthorizer, 'authorize'>,
    private readonly logger?: Logger,
  ) {
    this.#alwaysAllow = pathMatcher(alwaysAllowPaths);
  }

  async authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> {
    if (attrs.user.groups.includes(MASTERS)) return { decision: 'allow', reason: '' };
    if (!attrs.request.isResourceRequest && this.#alwaysAllow(attrs.request.path)) return { decision: 'allow', reason: '' };
    if (!this.sar) return { decision: 'noOpinion', reason: 'no authorizer is configured' };
    try {
      return await this.sar.authorize(attrs);
    } catch (e) {
      if (e instanceof SubjectAccessReviewError) {
        this.logger?.error({ err: e.message, path: attrs.request.path }, 'authorization check failed');
        throw new ServiceUnavailableError('authorization is temporarily unavailable: the SubjectAccessReview could not be completed', 1);
      }
      throw e;
    }
  }
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** The message of apiserver's `ForbiddenStatusError` (before `NewForbidden` wraps it). */
export function forbiddenMessage(attrs: AuthorizationAttributes, reason: string): string {
  const r = attrs.request;
  let msg: string;
  if (!r.isResourceRequest) {
    msg = `User ${goQuote(attrs.user.name)} cannot ${r.verb} path ${goQuote(safeDecode(r.path))}`;
  } else {
    const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    msg = `User ${goQuote(attrs.user.name)} cannot ${r.verb} resource ${goQuote(resource)} in API group ${goQuote(r.apiGroup)}`;
    msg += r.namespace ? ` in the namespace ${goQuote(r.namespace)}` : ' at the cluster scope';
  }
  return reason ? `${msg}: ${reason}` : msg;
}

function safeDecode(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** The 403 Status error apiserver answers for a denied request (`ForbiddenStatusError` + `NewForbidden`). */
export function forbiddenError(attrs: AuthorizationAttributes, reason: string): ForbiddenError {
  const r = attrs.request;
  const resource = r.isResourceRequest ? r.resource : '';
  const group = r.isResourceRequest ? r.apiGroup : '';
  const name = r.isResourceRequest ? r.name : '';
  const err = forbiddenMessage(attrs, reason);
  let message: string;
  if (resource === '' && group === '') message = `forbidden: ${err}`;
  else {
    const qualified = group ? `${resource}.${group}` : resource;
    message = name ? `${qualified} ${goQuote(name)} is forbidden: ${err}` : `${qualified} is forbidden: ${err}`;
  }
  const details: { name?: string; group?: string; kind?: string } = {};
  if (name) details.name = name;
  if (group) details.group = group;
  if (resource) details.kind = resource;
  return new ForbiddenError(message, details);
}

function firstQuery(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The koa state {@link authorizationMiddleware} adds. */
export interface AuthorizationState extends SecurityState {
  requestInfo?: RequestInfo;
}

/**
 * authorizationMiddleware authorizes `ctx.state.user` (set by the authentication middleware)
 * for the request's RequestInfo, stores the RequestInfo in `ctx.state.requestInfo`, and throws
 * core's `ForbiddenError` (403, apiserver's message) unless allowed.
 */
export function authorizationMiddleware(authorizer: Authorizer): Middleware {
  return async function authorize(ctx, next) {
    const state = ctx.state as AuthorizationState;
    const query = ctx.query as Record<string, string | string[] | undefined>;
    const request = parseRequestInfo(ctx.method, ctx.path, query);
    state.requestInfo = request;
    const user = state.user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    const attrs: AuthorizationAttributes = {
      user,
      request,
      labelSelector: firstQuery(query.labelSelector),
      fieldSelector: firstQuery(query.fieldSelector),
    };
    const result = await authorizer.authorize(attrs);
    if (result.decision !== 'allow') throw forbiddenError(attrs, result.reason);
    await next();
  };
}
