import type { Middleware } from 'koa';
import { ForbiddenError, ServiceUnavailableError } from '@custom-metrics/core';
import type { Logger } from '@custom-metrics/core';
import { parseRequestInfo, type RequestInfo } from '../http/request-info.js';
import { parse as parseQueryString } from 'node:querystring';
import { ANONYMOUS_USER, type SecurityState, type UserInfo } from './authentication.js';
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
  /**
   * The decision of {@link authorize} when it is known without waiting (a privileged group, an
   * always-allowed path, a cached review); `undefined` otherwise: call {@link authorize} then.
   */
  authorizeNow?(attrs: AuthorizationAttributes): AuthorizationResult | undefined;
}

const ALLOW: AuthorizationResult = Object.freeze({ decision: 'allow', reason: '' });
const NO_AUTHORIZER: AuthorizationResult = Object.freeze({ decision: 'noOpinion', reason: 'no authorizer is configured' });

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
    private readonly sar?: Pick<SubjectAccessReviewAuthorizer, 'authorize'> & Partial<Pick<SubjectAccessReviewAuthorizer, 'cached'>>,
    private readonly logger?: Logger,
  ) {
    this.#alwaysAllow = pathMatcher(alwaysAllowPaths);
  }

  /** The decision that needs no review (a privileged group, an always-allowed path, no reviewer), if any. */
  #withoutReview(attrs: AuthorizationAttributes): AuthorizationResult | undefined {
    if (attrs.user.groups.includes(MASTERS)) return ALLOW;
    if (!attrs.request.isResourceRequest && this.#alwaysAllow(attrs.request.path)) return ALLOW;
    if (!this.sar) return NO_AUTHORIZER;
    return undefined;
  }

  authorizeNow(attrs: AuthorizationAttributes): AuthorizationResult | undefined {
    return this.#withoutReview(attrs) ?? this.sar?.cached?.(attrs);
  }

  async authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> {
    const decided = this.#withoutReview(attrs);
    if (decided || !this.sar) return decided ?? NO_AUTHORIZER;
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

/** What authorization derives from one request line (method, path, query string). */
interface RequestLine {
  readonly request: RequestInfo;
  readonly labelSelector: string | undefined;
  readonly fieldSelector: string | undefined;
  /** The attributes of this request line for each user object. */
  readonly byUser: WeakMap<UserInfo, AuthorizationAttributes>;
}

/** Request lines remembered (the HPAs of a cluster ask the same few URLs over and over); cleared when full. */
const MAX_REQUEST_LINES = 4096;
/** The longest request line kept (longer ones are computed for their request only). */
const MAX_KEPT_LINE_LENGTH = 2048;

/**
 * requestAttributes returns the attributes of a request: its RequestInfo, selectors and
 * user. They are computed once per request line and user object and shared (frozen) by the
 * requests that repeat them, so the SubjectAccessReview cache key is built once for them too.
 */
function requestAttributes(lines: Map<string, RequestLine>, method: string, path: string, querystring: string, user: UserInfo): AuthorizationAttributes {
  const lineKey = `${method} ${path}?${querystring}`;
  let line = lines.get(lineKey);
  if (line === undefined) {
    const query = parseQueryString(querystring) as Record<string, string | string[] | undefined>;
    const request = parseRequestInfo(method, path, query);
    Object.freeze(request.parts);
    line = {
      request: Object.freeze(request),
      labelSelector: firstQuery(query.labelSelector),
      fieldSelector: firstQuery(query.fieldSelector),
      byUser: new WeakMap(),
    };
    // Long request lines are not kept: the memory the memo holds stays small whatever clients send.
    if (lineKey.length <= MAX_KEPT_LINE_LENGTH) {
      if (lines.size >= MAX_REQUEST_LINES) lines.clear();
      lines.set(lineKey, line);
    }
  }
  let attrs = line.byUser.get(user);
  if (attrs === undefined) {
    attrs = Object.freeze({ user, request: line.request, labelSelector: line.labelSelector, fieldSelector: line.fieldSelector });
    line.byUser.set(user, attrs);
  }
  return attrs;
}

/**
 * authorizationMiddleware authorizes `ctx.state.user` (set by the authentication middleware)
 * for the request's RequestInfo, stores the RequestInfo in `ctx.state.requestInfo`, and throws
 * core's `ForbiddenError` (403, apiserver's message) unless allowed.
 */
export function authorizationMiddleware(authorizer: Authorizer): Middleware {
  const lines = new Map<string, RequestLine>();
  return function authorize(ctx, next) {
    const state = ctx.state as AuthorizationState;
    const attrs = requestAttributes(lines, ctx.method, ctx.path, ctx.querystring, state.user ?? ANONYMOUS_USER);
    state.requestInfo = attrs.request;
    // A cached decision is applied synchronously: no promise for the common case.
    const now = authorizer.authorizeNow?.(attrs);
    if (now !== undefined) {
      // As an async middleware would: a denial is a rejected promise, never a synchronous throw.
      if (now.decision !== 'allow') return Promise.reject(forbiddenError(attrs, now.reason));
      return next();
    }
    return authorizer.authorize(attrs).then((result) => {
      if (result.decision !== 'allow') throw forbiddenError(attrs, result.reason);
      return next();
    });
  };
}
