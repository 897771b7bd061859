import { createHash } from 'node:crypto';
import { TtlCache } from '@custom-metrics/core';
import type { Logger } from '@custom-metrics/core';
import type { KubeRest } from '../kube/rest.js';
import type { AuthRequest } from './auth-request.js';
import type { AuthResponse, RequestAuthenticator, UserInfo } from './authentication.js';

/** The `status` of an authentication.k8s.io/v1 TokenReview answer. */
interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
}

/** Builds the TokenReview request body exactly as apiserver's webhook token authenticator sends it. */
export function tokenReviewBody(token: string): object {
  return {
    kind: 'TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: {},
    spec: { token },
    status: { user: {} },
  };
}

/** Options of {@link TokenReviewAuthenticator}. */
export interface TokenReviewOptions {
  /** How long positive and negative answers are cached (default 10 s, apiserver's `CacheTTL`). */
  cacheTtlMs?: number;
  now?: () => number;
  logger?: Logger;
}

/** The bearer token of an `Authorization: Bearer <token>` header, as apiserver's bearertoken authenticator reads it. */
export function bearerToken(req: AuthRequest): string | undefined {
  const auth = req.headerLines.get('authorization')?.[0]?.trim();
  if (!auth) return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined;
}

/**
 * TokenReviewAuthenticator authenticates bearer tokens with a TokenReview
 * (`POST /apis/authentication.k8s.io/v1/tokenreviews`, no audiences), caching answers for 10 s
 * (contract §7.5). A token the review rejects is an error (401); a failed review call is an
 * error too and is not cached. The `Authorization` header is removed after success.
 */
export class TokenReviewAuthenticator implements RequestAuthenticator {
  readonly name = 'token';
  readonly #cache: TtlCache<string, AuthResponse>;
  readonly #inflight = new Map<string, Promise<AuthResponse>>();

  constructor(
    private readonly kube: KubeRest,
    private readonly options: TokenReviewOptions = {},
  ) {
    this.#cache = new TtlCache({ ttlMs: options.cacheTtlMs ?? 10_000, maxEntries: 4096, now: options.now });
  }

  async authenticate(req: AuthRequest): Promise<AuthResponse> {
    const token = bearerToken(req);
    if (token === undefined) return {};
    const key = createHash('sha256').update(token).digest('hex');
    let res = this.#cache.get(key);
    if (!res) {
      let pending = this.#inflight.get(key);
      if (!pending) {
        pending = this.#review(token, key).finally(() => this.#inflight.delete(key));
        this.#inflight.set(key, pending);
      }
      res = await pending;
    }
    if (res.user) delete req.headers.authorization;
    return res;
  }

  async #review(token: string, key: string): Promise<AuthResponse> {
    let status: TokenReviewStatus | undefined;
    try {
      const body = await this.kube.requestOK<{ status?: TokenReviewStatus }>(
        'POST',
        '/apis/authentication.k8s.io/v1/tokenreviews',
        tokenReviewBody(token),
      );
      status = body.status;
    } catch (e) {
      this.options.logger?.warn({ err: (e as Error).message }, 'TokenReview failed');
      return { error: 'token review failed' };
    }
    let res: AuthResponse;
    if (status?.authenticated && status.user?.username) {
      const u = status.user;
      const user: UserInfo = {
        name: u.username!,
        ...(u.uid ? { uid: u.uid } : {}),
        groups: [...(u.groups ?? [])],
        ...(u.extra && Object.keys(u.extra).length > 0 ? { extra: u.extra } : {}),
      };
      res = { user };
    } else {
      res = { error: status?.error || 'invalid bearer token' };
    }
    this.#cache.set(key, res);
    return res;
  }
}
