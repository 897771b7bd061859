// The front-proxy step's users: one frozen object per identity (name, uid, groups, extra), and
// never one object for two identities, whatever the header values hold.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthRequest } from '../src/auth/auth-request.js';
import { REQUEST_HEADER_DEFAULTS, type AuthenticationConfig } from '../src/auth/auth-config.js';
import { FrontProxyAuthenticator } from '../src/auth/front-proxy.js';
import { createCA, issueCert } from './kube/certs.js';

const ca = createCA('front-proxy-identity-ca');
const proxy = issueCert(ca, { commonName: 'front-proxy-client' });
const config: AuthenticationConfig = {
  requestHeader: { clientCA: [new X509Certificate(ca.cert)], allowedNames: ['front-proxy-client'], ...REQUEST_HEADER_DEFAULTS, uidHeaders: ['x-remote-uid'] },
};
const chain = [new X509Certificate(proxy.cert)];
const connection = { key: {}, handshake: Buffer.from('finished') };

/** A request from the proxy with these identity header lines. */
function request(lines: Array<[string, string]>): AuthRequest {
  const headerLines = new Map<string, string[]>();
  for (const [name, value] of lines) headerLines.set(name, [...(headerLines.get(name) ?? []), value]);
  return { headers: {}, headerLines, peerCertificates: chain, connection };
}

describe('front-proxy identities', () => {
  const auth = new FrontProxyAuthenticator(() => config);
  const userOf = (lines: Array<[string, string]>) => auth.authenticateNow(request(lines)).user;

  it('gives one frozen user object per identity, and another to any other identity', () => {
    const hpa: Array<[string, string]> = [['x-remote-user', 'system:serviceaccount:kube-system:horizontal-pod-autoscaler'], ['x-remote-group', 'system:serviceaccounts'], ['x-remote-group', 'system:authenticated']];
    const first = userOf(hpa);
    expect(first).toEqual({ name: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler', groups: ['system:serviceaccounts', 'system:authenticated'] });
    expect(Object.isFrozen(first)).toBe(true);
    expect(userOf(hpa)).toBe(first);
    expect(userOf([...hpa, ['x-remote-uid', 'u-1']])).toEqual({ ...first, uid: 'u-1' });
    expect(userOf([hpa[0], hpa[2], hpa[1]])).not.toBe(first);
    expect(userOf([...hpa, ['x-remote-extra-scopes', 'a']])).toEqual({ ...first, extra: { scopes: ['a'] } });
  });

  it('never shares a user between identities whose values hold separators (line breaks, JSON)', () => {
    const users = [
      userOf([['x-remote-user', 'a\nb']]),
      userOf([['x-remote-user', 'a'], ['x-remote-uid', 'b']]),
      userOf([['x-remote-user', 'a'], ['x-remote-group', 'b']]),
      userOf([['x-remote-user', 'a'], ['x-remote-group', 'b\nc']]),
      userOf([['x-remote-user', 'a'], ['x-remote-group', 'b'], ['x-remote-group', 'c']]),
      userOf([['x-remote-user', '["a","",[],null]']]),
      userOf([['x-remote-user', 'a'], ['x-remote-uid', 'x\ny']]),
    ];
    expect(users.map((u) => [u?.name, u?.uid, u?.groups])).toEqual([
      ['a\nb', undefined, []],
      ['a', 'b', []],
      ['a', undefined, ['b']],
      ['a', undefined, ['b\nc']],
      ['a', undefined, ['b', 'c']],
      ['["a","",[],null]', undefined, []],
      ['a', 'x\ny', []],
    ]);
    expect(new Set(users).size).toBe(users.length);
  });
});
