import type { Middleware } from 'koa';
import { UnauthorizedError } from '@custom-metrics/core';
import type { Logger } from '@custom-metrics/core';
import { authRequestFromNode, type AuthRequest, type NodeRequestLike } from './auth-request.js';

/** An authenticated (or anonymous) user, as apiserver's `user.Info`. */
export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** One step of the authentication chain: a user, nothing (`{}`: not my credential) or an error. */
export interface AuthResponse {
  readonly user?: UserInfo;
  /** Set when the request carried this step's credential and it is invalid. */
  readonly error?: string;
}

/** One request authenticator (front proxy, x509, token, ...). */
export interface RequestAuthenticator {
  readonly name: string;
  authenticate(req: AuthRequest): Promise<AuthResponse>;
  /**
   * The same answer as {@link authenticate}, given synchronously, for a step that never waits
   * (certificate checks): the chain then decides without a promise per step.
   */
  authenticateNow?(req: AuthRequest): AuthResponse;
}

/**
 * Authenticator is the whole authentication chain of the server (contract §7.5): front proxy,
 * x509 client certificate, bearer token (TokenReview), then anonymous.
 */
export interface Authenticator {
  /**
   * authenticate returns the user of `req` (`system:authenticated` appended for authenticated
   * users; `system:anonymous` / `system:unauthenticated` when no credential was presented), and
   * removes the identity headers (`X-Remote-*`) and a consumed `Authorization` header from it.
   * @throws {UnauthorizedError} when a presented credential is invalid.
   */
  authenticate(req: AuthRequest): Promise<UserInfo>;
  /**
   * The answer of {@link authenticate} when it can be given synchronously (every step until the
   * deciding one answers synchronously), with the same effects on `req`; `undefined` (and `req`
   * untouched) when a step would have to wait: call {@link authenticate} then.
   * @throws {UnauthorizedError} as {@link authenticate}.
   */
  authenticateNow?(req: AuthRequest): UserInfo | undefined;
}

export const ANONYMOUS_USER: UserInfo = Object.freeze({ name: 'system:anonymous', groups: Object.freeze(['system:unauthenticated']) });
const AUTHENTICATED = 'system:authenticated';

/** The result of {@link withAuthenticatedGroup} for each user object it was given (a step that returns one user object per identity gets one result object too). */
const withGroup = new WeakMap<UserInfo, UserInfo>();

/**
 * Appends `system:authenticated` to the groups when missing (`group.NewAuthenticatedGroupAdder`).
 * The same input object gives the same output object, so what is derived from a user downstream
 * (the authorization cache key) can be kept with it.
 */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name === ANONYMOUS_USER.name || user.groups.includes(AUTHENTICATED) || user.groups.includes('system:unauthenticated')) return user;
  let out = withGroup.get(user);
  if (out === undefined) {
    out = Object.freeze({ ...user, groups: Object.freeze([...user.groups, AUTHENTICATED]) });
    withGroup.set(user, out);
  }
  return out;
}

/**
 * DelegatingAuthenticator runs the steps in order; the first user wins. If no step returns a user
 * and one reported an error, the request is unauthorized; otherwise it is anonymous (when
 * `anonymous` is on). `cleanup` runs on every request afterwards (header stripping).
 */
export class DelegatingAuthenticator implements Authenticator {
  constructor(
    private readonly steps: readonly RequestAuthenticator[],
    private readonly cleanup: (req: AuthRequest) => void = () => {},
    private readonly logger?: Logger,
    private readonly anonymous = true,
  ) {}

  async authenticate(req: AuthRequest): Promise<UserInfo> {
    try {
      let errors: string[] | undefined;
      for (const step of this.steps) {
        const res = await step.authenticate(req);
        if (res.user) return withAuthenticatedGroup(res.user);
        if (res.error) (errors ??= []).push(`[${step.name}] ${res.error}`);
      }
      return this.#nobody(errors);
    } finally {
      this.cleanup(req);
    }
  }

  authenticateNow(req: AuthRequest): UserInfo | undefined {
    let errors: string[] | undefined;
    for (const step of this.steps) {
      // A step that waits: leave the request untouched, the caller runs authenticate.
      if (!step.authenticateNow) return undefined;
      const res = step.authenticateNow(req);
      if (res.user) {
        this.cleanup(req);
        return withAuthenticatedGroup(res.user);
      }
      if (res.error) (errors ??= []).push(`[${step.name}] ${res.error}`);
    }
    this.cleanup(req);
    return this.#nobody(errors);
  }

  /** The answer when no step found a user: 401 if a credential was invalid (or anonymous is off), else anonymous. */
  #nobody(errors: string[] | undefined): UserInfo {
    if (errors !== undefined || !this.anonymous) {
      this.logger?.debug({ errors: errors ?? [] }, 'authentication failed');
      throw new UnauthorizedError();
    }
    return ANONYMOUS_USER;
  }
}

/** The koa state the security middleware fill in. */
export interface SecurityState {
  user?: UserInfo;
}

/**
 * authenticationMiddleware authenticates each request with `authenticator` and stores the user
 * in `ctx.state.user`. Invalid credentials throw core's `UnauthorizedError` (a 401 Status), which
 * the error middleware renders.
 */
export function authenticationMiddleware(authenticator: Authenticator): Middleware {
  return function authenticate(ctx, next) {
    const req = authRequestFromNode(ctx.req as unknown as NodeRequestLike);
    // Certificate-only chains decide synchronously: no promise per step. As an async middleware
    // would, a failure is a rejected promise, never a synchronous throw.
    let now: UserInfo | undefined;
    try {
      now = authenticator.authenticateNow?.(req);
    } catch (e) {
      return Promise.reject(e);
    }
    if (now !== undefined) {
      (ctx.state as SecurityState).user = now;
      return next();
    }
    return authenticator.authenticate(req).then((user) => {
      (ctx.state as SecurityState).user = user;
      return next();
    });
  };
}
