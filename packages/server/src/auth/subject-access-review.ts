import { TtlCache, parseSelector } from '@custom-metrics/core';
import type { Logger, Selector } from '@custom-metrics/core';
import type { RequestInfo } from '../http/request-info.js';
import type { KubeRest } from '../kube/rest.js';
import type { UserInfo } from './authentication.js';

/** What an authorizer decides (apiserver's `authorizer.Decision`). */
export type Decision = 'allow' | 'deny' | 'noOpinion';

/** The attributes of one request that authorization sees. */
export interface AuthorizationAttributes {
  readonly user: UserInfo;
  readonly request: RequestInfo;
  /** The raw `labelSelector` query value (used for list/watch/deletecollection). */
  readonly labelSelector?: string;
  /** The raw `fieldSelector` query value (used for list/watch/deletecollection). */
  readonly fieldSelector?: string;
}

/** An authorizer's answer; `reason` is appended to the 403 message when non-empty. */
export interface AuthorizationResult {
  readonly decision: Decision;
  readonly reason: string;
}

interface SelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

const SELECTOR_VERBS = new Set(['list', 'watch', 'deletecollection']);

/** `labelSelectorToAuthorizationAPI`: `=`/`==`/`in` → In, `!=`/`notin` → NotIn, exists, `!k`; gt/lt dropped. */
export function labelRequirements(selector: Selector): SelectorRequirement[] {
  const out: SelectorRequirement[] = [];
  for (const r of selector.requirements) {
    switch (r.operator) {
      case '=':
      case '==':
      case 'in':
        out.push({ key: r.key, operator: 'In', values: [...r.values] });
        break;
      case '!=':
      case 'notin':
        out.push({ key: r.key, operator: 'NotIn', values: [...r.values] });
        break;
      case 'exists':
        out.push({ key: r.key, operator: 'Exists' });
        break;
      case '!':
        out.push({ key: r.key, operator: 'DoesNotExist' });
        break;
      default:
        break;
    }
  }
  return out;
}

/** Field selector terms (`k=v`, `k==v`, `k!=v`, `\`-escapes) as authorization requirements. */
export function fieldRequirements(text: string): SelectorRequirement[] | undefined {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      cur += ch + text[++i];
    } else if (ch === ',') {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  const out: SelectorRequirement[] = [];
  for (const term of terms) {
    if (term.trim() === '') continue;
    const m = /^([^=!]*?)(!=|==|=)(.*)$/.exec(term);
    if (!m) return undefined;
    const value = m[3].replace(/\\(.)/g, '$1');
    out.push({ key: m[1].trim(), operator: m[2] === '!=' ? 'NotIn' : 'In', values: [value] });
  }
  return out;
}

/**
 * subjectAccessReviewBody builds the authorization.k8s.io/v1 SubjectAccessReview apiserver's
 * webhook authorizer sends for `attrs` (contract §7.5): resourceAttributes (with label and field
 * selector requirements for list verbs) or nonResourceAttributes, then user, groups, extra, uid.
 */
export function subjectAccessReviewBody(attrs: AuthorizationAttributes): object {
  const r = attrs.request;
  const spec: Record<string, unknown> = {};
  if (r.isResourceRequest) {
    const ra: Record<string, unknown> = {};
    const put = (k: string, v: string) => {
      if (v !== '') ra[k] = v;
    };
    put('namespace', r.namespace);
    put('verb', r.verb);
    put('group', r.apiGroup);
    put('version', r.apiVersion);
    put('resource', r.resource);
    put('subresource', r.subresource);
    put('name', r.name);
    if (SELECTOR_VERBS.has(r.verb)) {
      if (attrs.fieldSelector) {
        const reqs = fieldRequirements(attrs.fieldSelector);
        if (reqs && reqs.length > 0) ra.fieldSelector = { requirements: reqs };
      }
      if (attrs.labelSelector) {
        let reqs: SelectorRequirement[] = [];
        try {
          reqs = labelRequirements(parseSelector(attrs.labelSelector));
        } catch {
          reqs = [];
        }
        if (reqs.length > 0) ra.labelSelector = { requirements: reqs };
      }
    }
    spec.resourceAttributes = ra;
  } else {
    spec.nonResourceAttributes = { path: safeDecodePath(r.path), verb: r.verb };
  }
  spec.user = attrs.user.name;
  if (attrs.user.groups.length > 0) spec.groups = [...attrs.user.groups];
  if (attrs.user.extra && Object.keys(attrs.user.extra).length > 0) spec.extra = attrs.user.extra;
  if (attrs.user.uid) spec.uid = attrs.user.uid;
  return {
    kind: 'SubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: {},
    spec,
    status: { allowed: false },
  };
}

/**
 * reviewKey identifies the SubjectAccessReview of `attrs`: two attributes with the same key give
 * the same review body (the raw selectors stand for their requirements; two spellings of one
 * selector are two entries, never one entry for two different reviews). JSON keeps the fields apart.
 */
export function reviewKey(attrs: AuthorizationAttributes): string {
  const r = attrs.request;
  const u = attrs.user;
  const selectors = r.isResourceRequest && SELECTOR_VERBS.has(r.verb);
  const extra = u.extra && Object.keys(u.extra).length > 0 ? u.extra : null;
  return JSON.stringify([
    r.isResourceRequest ? 1 : 0,
    r.isResourceRequest ? r.namespace : r.path,
    r.verb,
    r.apiGroup,
    r.apiVersion,
    r.resource,
    r.subresource,
    r.name,
    selectors ? (attrs.labelSelector ?? '') : '',
    selectors ? (attrs.fieldSelector ?? '') : '',
    u.name,
    u.groups,
    extra,
    u.uid ?? '',
  ]);
}

function safeDecodePath(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** The SubjectAccessReview call failed (transport error or a non-2xx answer). */
export class SubjectAccessReviewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubjectAccessReviewError';
  }
}

/** Options of {@link SubjectAccessReviewAuthorizer}. */
export interface SubjectAccessReviewOptions {
  /** Cache TTL of allow answers (default 10 s, `AllowCacheTTL`). */
  allowTtlMs?: number;
  /** Cache TTL of deny/no-opinion answers (default 10 s, `DenyCacheTTL`). */
  denyTtlMs?: number;
  now?: () => number;
  logger?: Logger;
}

interface SarStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

/**
 * SubjectAccessReviewAuthorizer asks kube-apiserver (`POST
 * /apis/authorization.k8s.io/v1/subjectaccessreviews`) and caches allow and deny answers.
 * @throws {SubjectAccessReviewError} when the review cannot be obtained (never cached).
 */
export class SubjectAccessReviewAuthorizer {
  readonly #cache: TtlCache<string, AuthorizationResult>;
  readonly #inflight = new Map<string, Promise<AuthorizationResult>>();
  readonly #allowTtl: number;
  readonly #denyTtl: number;

  constructor(
    private readonly kube: KubeRest,
    private readonly options: SubjectAccessReviewOptions = {},
  ) {
    this.#allowTtl = options.allowTtlMs ?? 10_000;
    this.#denyTtl = options.denyTtlMs ?? 10_000;
    this.#cache = new TtlCache({ ttlMs: Math.max(this.#allowTtl, this.#denyTtl), maxEntries: 10_000, now: options.now });
  }

  /** The cached answer for `attrs`, if any (what {@link authorize} answers without a review). */
  cached(attrs: AuthorizationAttributes): AuthorizationResult | undefined {
    return this.#cache.get(this.#keyOf(attrs));
  }

  async authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> {
    // The cache key is built from the attributes the review depends on, without building the
    // review itself: a hit (the common case) costs one string and one map lookup.
    const key = this.#keyOf(attrs);
    const hit = this.#cache.get(key);
    if (hit) return hit;
    let pending = this.#inflight.get(key);
    if (!pending) {
      const body = subjectAccessReviewBody(attrs);
      pending = this.#review(body, key).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  /** Keys of frozen attributes (the authorization middleware shares one object per request line and user). */
  readonly #keys = new WeakMap<AuthorizationAttributes, string>();

  /** {@link reviewKey}, kept with attributes that cannot change (frozen, with frozen user and request). */
  #keyOf(attrs: AuthorizationAttributes): string {
    let key = this.#keys.get(attrs);
    if (key === undefined) {
      key = reviewKey(attrs);
      if (Object.isFrozen(attrs) && Object.isFrozen(attrs.user) && Object.isFrozen(attrs.request)) this.#keys.set(attrs, key);
    }
    return key;
  }

  async #review(body: object, key: string): Promise<AuthorizationResult> {
    let status: SarStatus | undefined;
    try {
      const res = await this.kube.requestOK<{ status?: SarStatus }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', body);
      status = res.status;
    } catch (e) {
      this.options.logger?.error({ err: (e as Error).message }, 'SubjectAccessReview failed');
      throw new SubjectAccessReviewError((e as Error).message);
    }
    const reason = status?.reason ?? '';
    const result: AuthorizationResult = status?.allowed
      ? { decision: 'allow', reason }
      : { decision: status?.denied ? 'deny' : 'noOpinion', reason };
    this.#cache.set(key, result, result.decision === 'allow' ? this.#allowTtl : this.#denyTtl);
    return result;
  }
}
