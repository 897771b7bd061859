import type { Context, Next } from 'koa';
import { describe, expect, it, vi } from 'vitest';
import { isMetricsError } from '@custom-metrics/core';
import type { AuthRequest } from './auth-request.js';
import { ANONYMOUS_USER, authenticationMiddleware, DelegatingAuthenticator, type AuthResponse, type RequestAuthenticator, type UserInfo } from './authentication.js';
import { authorizationMiddleware, DelegatingAuthorizer, type AuthorizationAttributes, type AuthorizationResult } from './authorization.js';

const alice: UserInfo = Object.freeze({ name: 'alice', groups: Object.freeze(['dev']) });

function request(): AuthRequest {
  return { headers: { 'x-remote-user': 'mallory' }, headerLines: new Map(), peerCertificates: [] };
}

/** A step answering `res`, synchronously when `sync`. */
function step(name: string, res: AuthResponse, sync: boolean): RequestAuthenticator & { calls: number } {
  const s = {
    name,
    calls: 0,
    async authenticate(): Promise<AuthResponse> {
      s.calls++;
      return res;
    },
  };
  return sync ? Object.assign(s, { authenticateNow: () => (s.calls++, res) }) : s;
}

const strip = (req: AuthRequest) => {
  delete req.headers['x-remote-user'];
};

describe('DelegatingAuthenticator.authenticateNow', () => {
  it('decides synchronously when every step up to the deciding one is synchronous, with the same user and clean-up as authenticate', async () => {
    const chain = new DelegatingAuthenticator([step('front-proxy', {}, true), step('x509', { user: alice }, true), step('token', {}, false)], strip);
    const now = request();
    const later = request();
    const user = chain.authenticateNow(now);
    expect(user).toEqual(await chain.authenticate(later));
    expect(user?.groups).toEqual(['dev', 'system:authenticated']);
    // The same user object for the same step answer, so what is derived from it can be kept.
    expect(chain.authenticateNow(request())).toBe(user);
    expect(now.headers).toEqual({});
    expect(later.headers).toEqual({});
  });

  it('leaves the request untouched and answers undefined when an asynchronous step would have to run', async () => {
    const token = step('token', { user: alice }, false);
    const chain = new DelegatingAuthenticator([step('x509', {}, true), token], strip);
    const req = request();
    expect(chain.authenticateNow(req)).toBeUndefined();
    expect(req.headers).toEqual({ 'x-remote-user': 'mallory' });
    expect(token.calls).toBe(0);
    expect((await chain.authenticate(req)).name).toBe('alice');
  });

  it('throws the 401 authenticate rejects with, and answers anonymous when nothing was presented', async () => {
    const failing = new DelegatingAuthenticator([step('x509', { error: 'bad chain' }, true)], strip);
    expect(() => failing.authenticateNow(request())).toThrow(expect.objectContaining({ code: 401 }));
    await expect(failing.authenticate(request())).rejects.toMatchObject({ code: 401 });
    expect(new DelegatingAuthenticator([step('x509', {}, true)], strip).authenticateNow(request())).toBe(ANONYMOUS_USER);
  });

  it('the middleware rejects (never throws synchronously) when authentication fails', async () => {
    const mw = authenticationMiddleware(new DelegatingAuthenticator([step('x509', { error: 'bad chain' }, true)]));
    const ctx = { req: { headers: {}, rawHeaders: [], socket: null }, state: {} } as unknown as Context;
    const next = vi.fn<Next>(async () => undefined);
    let result: unknown;
    expect(() => (result = mw(ctx, next))).not.toThrow();
    await expect(result).rejects.toMatchObject({ code: 401 });
    expect(next).not.toHaveBeenCalled();
  });
});

/** An authorizer answering `decision`, with or without a synchronous (cached) answer. */
function authorizer(decision: AuthorizationResult['decision'], cached: boolean) {
  const seen: AuthorizationAttributes[] = [];
  const sar = {
    authorize: vi.fn(async (attrs: AuthorizationAttributes) => (seen.push(attrs), { decision, reason: 'because' })),
    cached: (attrs: AuthorizationAttributes) => (seen.push(attrs), cached ? { decision, reason: 'because' } : undefined),
  };
  return { authz: new DelegatingAuthorizer(undefined, sar), sar, seen };
}

function ctxFor(path: string, querystring = '', user: UserInfo = alice): Context {
  return { method: 'GET', path, querystring, state: { user } } as unknown as Context;
}

describe('authorizationMiddleware', () => {
  const path = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/a/pods/*/m';

  it('applies a cached decision without a review, and asks for a review when none is cached', async () => {
    const cached = authorizer('allow', true);
    const next = vi.fn<Next>(async () => undefined);
    await authorizationMiddleware(cached.authz)(ctxFor(path), next);
    expect(next).toHaveBeenCalledTimes(1);
    expect(cached.sar.authorize).not.toHaveBeenCalled();

    const uncached = authorizer('allow', false);
    await authorizationMiddleware(uncached.authz)(ctxFor(path), next);
    expect(uncached.sar.authorize).toHaveBeenCalledTimes(1);
    expect(next).toHaveBeenCalledTimes(2);
  });

  it('answers a cached denial with the 403 a review denial gives, as a rejected promise', async () => {
    for (const cached of [true, false]) {
      const { authz } = authorizer('deny', cached);
      const next = vi.fn<Next>(async () => undefined);
      let result: unknown;
      expect(() => (result = authorizationMiddleware(authz)(ctxFor(path, 'labelSelector=app%3Dweb'), next))).not.toThrow();
      const err = await (result as Promise<unknown>).then(() => undefined, (e: unknown) => e);
      expect(isMetricsError(err) && err.code).toBe(403);
      expect((err as Error).message).toBe('pods.custom.metrics.k8s.io "*" is forbidden: User "alice" cannot get resource "pods/m" in API group "custom.metrics.k8s.io" in the namespace "a": because');
      expect(next).not.toHaveBeenCalled();
    }
  });

  it('shares one frozen attributes object per request line and user, and tells lines and users apart', async () => {
    const { authz, seen } = authorizer('allow', true);
    const mw = authorizationMiddleware(authz);
    const next = async () => undefined;
    const bob: UserInfo = Object.freeze({ name: 'bob', groups: Object.freeze([]) });
    await mw(ctxFor(path, 'labelSelector=app%3Dweb'), next);
    await mw(ctxFor(path, 'labelSelector=app%3Dweb'), next);
    await mw(ctxFor(path, 'labelSelector=app%3Dother'), next);
    await mw(ctxFor(path, 'labelSelector=app%3Dweb', bob), next);
    await mw(ctxFor('/apis/custom.metrics.k8s.io/v1beta2/namespaces/b/pods/*/m', 'labelSelector=app%3Dweb'), next);
    expect(seen[0]).toBe(seen[1]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(seen[0]).toMatchObject({ user: alice, labelSelector: 'app=web', request: { namespace: 'a', verb: 'get', name: '*' } });
    expect(seen[2]).toMatchObject({ user: alice, labelSelector: 'app=other' });
    expect(seen[3]).toMatchObject({ user: bob, labelSelector: 'app=web' });
    expect(seen[4]).toMatchObject({ request: { namespace: 'b' } });
    expect(new Set(seen.slice(1)).size).toBe(4);
  });

  it('keeps no attributes for very long request lines (bounded memory), and authorizes them the same', async () => {
    const { authz, seen } = authorizer('allow', true);
    const mw = authorizationMiddleware(authz);
    const next = vi.fn<Next>(async () => undefined);
    const long = `labelSelector=${encodeURIComponent(`app in (${Array.from({ length: 400 }, (_, i) => `v${i}`).join(',')})`)}`;
    await mw(ctxFor(path, long), next);
    await mw(ctxFor(path, long), next);
    expect(next).toHaveBeenCalledTimes(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0].labelSelector).toMatch(/^app in \(v0,v1,/);
  });
});
