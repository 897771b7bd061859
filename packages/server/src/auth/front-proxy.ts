import type { AuthenticationConfig, RequestHeaderConfig } from './auth-config.js';
import type { AuthRequest } from './auth-request.js';
import type { AuthResponse, RequestAuthenticator, UserInfo } from './authentication.js';
import { PeerVerifier } from './peer-verifier.js';

/**
 * Go's `url.PathUnescape`: decodes `%XX`; `undefined` on a malformed escape. Escapes that do not
 * form UTF-8 decode byte-wise, and the invalid bytes become U+FFFD, which is what Go's JSON
 * encoder makes of them when the key reaches a SubjectAccessReview.
 */
export function pathUnescape(text: string): string | undefined {
  if (!/^(?:[^%]|%[0-9a-fA-F]{2})*$/.test(text)) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '%') {
        bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(text[i], 'utf8'));
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

/** The lower-cased header names of each requestheader config (a reloaded config is a new object). */
const lowered = new WeakMap<RequestHeaderConfig, { username: string[]; uid: string[]; group: string[]; extraPrefixes: string[] }>();

function lowerNames(rh: RequestHeaderConfig): { username: string[]; uid: string[]; group: string[]; extraPrefixes: string[] } {
  let names = lowered.get(rh);
  if (!names) {
    names = { username: lower(rh.usernameHeaders), uid: lower(rh.uidHeaders), group: lower(rh.groupHeaders), extraPrefixes: lower(rh.extraHeaderPrefixes) };
    lowered.set(rh, names);
  }
  return names;
}

function lower(list: readonly string[]): string[] {
  return list.map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
}

/**
 * FrontProxyAuthenticator implements apiserver's requestheader authenticator behind an x509
 * verifier (contract §7.2): the identity headers count only when the peer certificate verifies
 * against the requestheader CA (ClientAuth usage) and its CN is allowed. The chain is verified once
 * per TLS handshake ({@link PeerVerifier}).
 */
export class FrontProxyAuthenticator implements RequestAuthenticator {
  readonly name = 'front-proxy';

  constructor(
    private readonly config: () => AuthenticationConfig,
    private readonly verifier: PeerVerifier = new PeerVerifier(),
  ) {}

  async authenticate(req: AuthRequest): Promise<AuthResponse> {
    return this.authenticateNow(req);
  }

  authenticateNow(req: AuthRequest): AuthResponse {
    const rh = this.config().requestHeader;
    if (!rh) return {};
    const res = this.verifier.verify(req, rh.clientCA);
    if (!res) return {};
    if ('error' in res) return { error: res.error };
    const { commonName } = res.peer;
    if (rh.allowedNames.length > 0 && !rh.allowedNames.includes(commonName)) {
      return { error: `x509: subject with cn=${commonName} is not in the allowed list` };
    }
    const lines = req.headerLines;
    const names = lowerNames(rh);
    const firstOf = (list: readonly string[]) => {
      for (const n of list) for (const v of lines.get(n) ?? []) if (v.trim() !== '') return v.trim();
      return '';
    };
    const name = firstOf(names.username);
    if (name === '') return {};
    const groups: string[] = [];
    for (const n of names.group) for (const v of lines.get(n) ?? []) if (v !== '') groups.push(v);
    const extra: Record<string, string[]> = {};
    for (const prefix of names.extraPrefixes) {
      for (const [header, values] of lines) {
        if (!header.startsWith(prefix) || header.length === prefix.length) continue;
        const raw = header.slice(prefix.length);
        const key = pathUnescape(raw) ?? raw;
        (extra[key] ??= []).push(...values);
      }
    }
    const uid = firstOf(names.uid);
    return { user: internUser(name, uid, groups, extra) };
  }
}

/** Front-proxy users by identity (bounded): one frozen object per identity, as the x509 step has one per peer. */
const interned = new Map<string, UserInfo>();
const MAX_INTERNED_USERS = 4096;
/** Identities longer than this (as JSON) are not kept. */
const MAX_INTERNED_KEY_LENGTH = 4096;

/**
 * The user object of an identity: the same object for the same name, uid, groups and extra, so
 * the authorization cache key derived from it is computed once (the aggregator sends the same few
 * identities on every request).
 */
function internUser(name: string, uid: string, groups: string[], extra: Record<string, string[]>): UserInfo {
  const hasExtra = Object.keys(extra).length > 0;
  // Without extra, and with no line break in any value (HTTP forbids them; checked anyway, as two
  // identities must never share a key), the values joined by `\n` are the identity (groups are
  // never empty strings); otherwise the JSON of all of it, which starts with `[`.
  const key = !hasExtra && noLineBreak(name, uid, groups) ? `\n${name}\n${uid}\n${groups.join('\n')}` : JSON.stringify([name, uid, groups, hasExtra ? extra : null]);
  let user = interned.get(key);
  if (user === undefined) {
    if (hasExtra) for (const k of Object.keys(extra)) Object.freeze(extra[k]);
    user = Object.freeze({
      name,
      ...(uid ? { uid } : {}),
      groups: Object.freeze(groups),
      ...(hasExtra ? { extra: Object.freeze(extra) } : {}),
    });
    if (key.length <= MAX_INTERNED_KEY_LENGTH) {
      if (interned.size >= MAX_INTERNED_USERS) interned.clear();
      interned.set(key, user);
    }
  }
  return user;
}

/** Whether no value holds a `\n`. */
function noLineBreak(name: string, uid: string, groups: readonly string[]): boolean {
  if (name.includes('\n') || uid.includes('\n')) return false;
  for (const g of groups) if (g.includes('\n')) return false;
  return true;
}

/** The identity header names of each authentication config (a reloaded config is a new object). */
const identityHeaders = new WeakMap<AuthenticationConfig, { defaults: object; exact: ReadonlySet<string>; prefixes: readonly string[] }>();

/**
 * Removes every identity header of the front-proxy settings (and the `X-Remote-*` defaults) from
 * `req.headers`, so no handler ever sees unverified identity headers.
 */
export function stripIdentityHeaders(req: AuthRequest, config: AuthenticationConfig, defaults: {
  usernameHeaders: readonly string[];
  uidHeaders: readonly string[];
  groupHeaders: readonly string[];
  extraHeaderPrefixes: readonly string[];
}): void {
  let names = identityHeaders.get(config);
  if (!names || names.defaults !== defaults) {
    const rh = config.requestHeader;
    names = {
      defaults,
      exact: new Set(lower([
        ...defaults.usernameHeaders, ...defaults.uidHeaders, ...defaults.groupHeaders,
        ...(rh ? [...rh.usernameHeaders, ...rh.uidHeaders, ...rh.groupHeaders] : []),
      ])),
      prefixes: lower([...defaults.extraHeaderPrefixes, ...(rh?.extraHeaderPrefixes ?? [])]),
    };
    identityHeaders.set(config, names);
  }
  const { exact, prefixes } = names;
  for (const key of Object.keys(req.headers)) {
    const k = key.toLowerCase();
    if (exact.has(k) || prefixes.some((p) => k.startsWith(p))) delete req.headers[key];
  }
}
