// Authentication and authorization of the real server (startServer over TLS, flags for the CAs)
// against the kube-apiserver double: front proxy, x509, TokenReview, SubjectAccessReview.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/index.js';
import type { RunningServer } from '../src/cli/serve.js';
import { KubeApiserverDouble } from './kube/apiserver-double.js';
import { createCA, issueCert, type TestCert } from './kube/certs.js';
import { h2Get, httpsGet, type ClientOptions } from './support/https-client.js';
import { createTestPki, sarSpecs, seedCluster, startSecureServer, tokenReviewCount, type ApiDoc, type SarSpec, type TestPki } from './support/secure-server.js';

const contract = (name: string) => JSON.parse(readFileSync(new URL(`../../core/test/contract/${name}`, import.meta.url), 'utf8'));

const PODS_STAR = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests';
const DENIED = new Set(['mallory', 'system:anonymous']);

describe('authentication and authorization of the real server (TLS, kube-apiserver double)', () => {
  const dir = tempDir('auth');
  let double: KubeApiserverDouble;
  let pki: TestPki;
  let server: RunningServer;
  let proxy: TestCert;

  const get = (path: string, o: ClientOptions = {}) => httpsGet(`https://127.0.0.1:${server.port}${path}`, { ca: pki.servingCA.cert, ...o });
  const specsFor = (user: string) => sarSpecs(double).filter((s) => s.user === user);

  beforeAll(async () => {
    double = await KubeApiserverDouble.start();
    seedCluster(double);
    double.sarPolicy = (spec) => ({ allowed: !DENIED.has(String(spec.user)) });
    pki = createTestPki();
    proxy = issueCert(pki.frontProxyCA, { commonName: 'front-proxy-client' });
    const files = { clientCaFile: `${dir.path}/client-ca.crt`, requestheaderClientCaFile: `${dir.path}/front-proxy-ca.crt` };
    server = await startSecureServer(dir.path, double, pki, { ...files, requestheaderAllowedNames: ['front-proxy-client'] });
  });

  afterAll(async () => {
    await server?.shutdown();
    await double?.close();
    dir.remove();
  });

  describe('front proxy (requestheader)', () => {
    it('trusts X-Remote-* from a proxy certificate signed by the requestheader CA with an allowed CN', async () => {
      const res = await get(`${PODS_STAR}?labelSelector=app%3Dweb`, {
        ...proxy,
        headers: [
          ['X-Remote-User', 'fp-bob'],
          ['X-Remote-Group', 'team-a'],
          ['X-Remote-Group', 'team-b'],
          ['X-Remote-Extra-Acme.com%2Fproject', 'p1'],
          ['X-Remote-Extra-Acme.com%2Fproject', 'p2'],
          ['X-Remote-Extra-Scopes', 'read'],
        ],
      });
      expect(res.status).toBe(200);
      expect(res.json<ApiDoc>().items.map((i) => i.describedObject.name)).toEqual(['web-1', 'web-2']);
      const [spec] = specsFor('fp-bob');
      expect(spec.groups).toEqual(['team-a', 'team-b', 'system:authenticated']);
      expect(spec.extra).toEqual({ 'acme.com/project': ['p1', 'p2'], scopes: ['read'] });
      expect(spec.resourceAttributes).toMatchObject({ verb: 'get', resource: 'pods', name: '*', subresource: 'http_requests' });
    });

    it('unescapes X-Remote-Extra-* keys as apiserver (lower-cased, url.PathUnescape, raw on a bad escape); needs a user header', async () => {
      const res = await get('/apis/custom.metrics.k8s.io/v1beta1', {
        ...proxy,
        headers: [
          ['X-Remote-User', 'fp-extra'],
          ['X-Remote-Extra-Authentication.kubernetes.io%2fcredential-Id', 'JTI=1'],
          ['X-Remote-Extra-Bad%zzKey', 'v'],
          ['X-Remote-Extra-%E2%9C%93', 'check'],
          ['X-Remote-Extra-Raw%FFbyte', 'latin'],
        ],
      });
      expect(res.status).toBe(200);
      const [spec] = specsFor('fp-extra');
      expect(spec.groups).toEqual(['system:authenticated']);
      expect(spec.extra).toEqual({ 'authentication.kubernetes.io/credential-id': ['JTI=1'], 'bad%zzkey': ['v'], '\u2713': ['check'], 'raw\ufffdbyte': ['latin'] });
      // A proxy certificate without a user header authenticates nobody; its chain is not a client-CA chain: 401.
      const none = await get('/apis/custom.metrics.k8s.io/v1beta1', { ...proxy, headers: [['X-Remote-Group', 'g']] });
      expect(none.status).toBe(401);
    });

    it('authenticates the front proxy over HTTP/2 too (repeated group fields kept in order)', async () => {
      const res = await h2Get(`https://127.0.0.1:${server.port}`, '/apis/custom.metrics.k8s.io/v1beta2', {
        ca: pki.servingCA.cert,
        ...proxy,
        headers: [
          ['x-remote-user', 'fp-h2'],
          ['x-remote-group', 'h2-a'],
          ['x-remote-group', 'h2-b'],
        ],
      });
      expect(res.alpn).toBe('h2');
      expect(res.status).toBe(200);
      expect(specsFor('fp-h2')[0]?.groups).toEqual(['h2-a', 'h2-b', 'system:authenticated']);
      const spoofed = await h2Get(`https://127.0.0.1:${server.port}`, '/apis/custom.metrics.k8s.io/v1beta2', {
        ca: pki.servingCA.cert,
        headers: [['x-remote-user', 'fp-h2-spoofed']],
      });
      expect(spoofed.status).toBe(403);
      expect(specsFor('fp-h2-spoofed')).toEqual([]);
    });

    it('never trusts spoofed X-Remote-* headers without the proxy certificate: the request is anonymous', async () => {
      const res = await get(PODS_STAR, { headers: [['X-Remote-User', 'fp-spoofed'], ['X-Remote-Group', 'system:masters']] });
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
      expect(res.json<ApiDoc>().message).toContain('User "system:anonymous" cannot get resource "pods/http_requests"');
      expect(specsFor('fp-spoofed')).toEqual([]);
      expect(specsFor('system:anonymous').at(-1)?.groups).toEqual(['system:unauthenticated']);
    });

    it('never trusts spoofed headers on a client certificate of the client CA either', async () => {
      const client = issueCert(pki.clientCA, { commonName: 'cc-carol' });
      const res = await get(PODS_STAR, { ...client, headers: [['X-Remote-User', 'fp-spoofed-2']] });
      expect(res.status).toBe(200);
      expect(specsFor('fp-spoofed-2')).toEqual([]);
      expect(specsFor('cc-carol')).toHaveLength(1);
    });

    it('rejects a proxy certificate whose CN is not in the allowed names (401 Status)', async () => {
      const evil = issueCert(pki.frontProxyCA, { commonName: 'not-the-aggregator' });
      const res = await get(PODS_STAR, { ...evil, headers: [['X-Remote-User', 'fp-evil']] });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual(contract('status-unauthorized.json'));
      expect(specsFor('fp-evil')).toEqual([]);
    });

    it('rejects a proxy certificate without the clientAuth usage, and an expired one (401 Status)', async () => {
      const serverOnly = issueCert(pki.frontProxyCA, { commonName: 'front-proxy-client', usages: ['serverAuth'] });
      const expired = issueCert(pki.frontProxyCA, { commonName: 'front-proxy-client', notBeforeMs: -7200_000, notAfterMs: -3600_000 });
      for (const cert of [serverOnly, expired]) {
        const res = await get(PODS_STAR, { ...cert, headers: [['X-Remote-User', 'fp-bad-cert']] });
        expect(res.status).toBe(401);
        expect(res.json()).toEqual(contract('status-unauthorized.json'));
      }
      expect(specsFor('fp-bad-cert')).toEqual([]);
    });

    it('rejects a proxy certificate from another CA (401 Status)', async () => {
      const rogue = issueCert(createCA('rogue-ca'), { commonName: 'front-proxy-client' });
      const res = await get(PODS_STAR, { ...rogue, headers: [['X-Remote-User', 'fp-rogue']] });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual(contract('status-unauthorized.json'));
    });
  });

  describe('x509 client certificates', () => {
    it('authenticates CN as the user and O as the groups', async () => {
      const client = issueCert(pki.clientCA, { commonName: 'cc-dave', organizations: ['ops', 'dev'] });
      const res = await get('/apis/custom.metrics.k8s.io/v1beta2', client);
      expect(res.status).toBe(200);
      const [spec] = specsFor('cc-dave');
      expect(spec.groups).toEqual(['ops', 'dev', 'system:authenticated']);
      expect(spec.extra?.['authentication.kubernetes.io/credential-id']?.[0]).toMatch(/^X509SHA256=[0-9a-f]{64}$/);
      expect(spec.nonResourceAttributes).toEqual({ path: '/apis/custom.metrics.k8s.io/v1beta2', verb: 'get' });
    });

    it('allows system:masters without a SubjectAccessReview', async () => {
      const admin = issueCert(pki.clientCA, { commonName: 'cc-admin', organizations: ['system:masters'] });
      const res = await get(`${PODS_STAR}?labelSelector=app%3Ddb`, admin);
      expect(res.status).toBe(200);
      expect(res.json<ApiDoc>().items).toHaveLength(1);
      expect(specsFor('cc-admin')).toEqual([]);
    });
  });

  describe('bearer tokens (TokenReview)', () => {
    beforeAll(() => {
      double.tokens.set('token-erin', { username: 'tok-erin', uid: 'u-1', groups: ['readers'], extra: { scope: ['a'] } });
      double.tokens.set('token-cache', { username: 'tok-cache', groups: [] });
    });

    it('authenticates the TokenReview user, forwarding uid, groups and extra to the SubjectAccessReview', async () => {
      const res = await get('/apis/custom.metrics.k8s.io/v1beta1', { headers: [['Authorization', 'Bearer token-erin']] });
      expect(res.status).toBe(200);
      const [spec] = specsFor('tok-erin');
      expect(spec).toMatchObject({ user: 'tok-erin', uid: 'u-1', groups: ['readers', 'system:authenticated'], extra: { scope: ['a'] } });
      const review = JSON.parse(double.requestsTo('POST', '/apis/authentication.k8s.io/v1/tokenreviews').at(-1)!.body!);
      expect(review).toEqual({ ...contract('tokenreview-request.json'), spec: { token: 'token-erin' } });
    });

    it('caches TokenReview answers: two requests, one review', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await get('/apis/custom.metrics.k8s.io/v1beta2', { headers: [['Authorization', 'Bearer token-cache']] });
        expect(res.status).toBe(200);
      }
      expect(tokenReviewCount(double, 'token-cache')).toBe(1);
    });

    it('shares one TokenReview and one SubjectAccessReview among concurrent identical requests', async () => {
      double.tokens.set('token-burst', { username: 'tok-burst', groups: [] });
      const all = await Promise.all(
        Array.from({ length: 6 }, () => get('/apis/external.metrics.k8s.io/v1beta1', { headers: [['Authorization', 'Bearer token-burst']] })),
      );
      expect(all.map((r) => r.status)).toEqual(Array(6).fill(200));
      expect(tokenReviewCount(double, 'token-burst')).toBe(1);
      expect(specsFor('tok-burst')).toHaveLength(1);
    });

    it('caches a rejected token too, and never puts a token into a SubjectAccessReview', async () => {
      for (let i = 0; i < 2; i++) expect((await get(PODS_STAR, { headers: [['Authorization', 'Bearer bad-cached']] })).status).toBe(401);
      expect(tokenReviewCount(double, 'bad-cached')).toBe(1);
      expect(double.requestsTo('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews').some((r) => r.body?.includes('token-'))).toBe(false);
    });

    it('answers an invalid token with the 401 Status of kube-apiserver', async () => {
      const res = await get(PODS_STAR, { headers: [['Authorization', 'Bearer no-such-token']] });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual(contract('status-unauthorized.json'));
    });

    it('answers 401 when the TokenReview call fails, and stays up', async () => {
      double.failTokenReview = true;
      try {
        const res = await get(PODS_STAR, { headers: [['Authorization', 'Bearer token-while-down']] });
        expect(res.status).toBe(401);
        expect(res.json()).toEqual(contract('status-unauthorized.json'));
      } finally {
        double.failTokenReview = false;
      }
      expect((await get('/healthz')).status).toBe(200);
    });
  });

  describe('authorization (SubjectAccessReview)', () => {
    it('serves always-allow paths to anonymous without a review', async () => {
      for (const p of ['/healthz', '/livez', '/readyz']) expect((await get(p)).status).toBe(200);
      expect(sarSpecs(double).filter((s) => /^\/(healthz|livez|readyz)/.test(s.nonResourceAttributes?.path ?? ''))).toEqual([]);
    });

    it('answers a denied review with 403 and apiserver\'s forbidden message', async () => {
      const mallory = issueCert(pki.clientCA, { commonName: 'mallory' });
      const res = await get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests', mallory);
      expect(res.status).toBe(403);
      const expected = contract('status-forbidden.json');
      expect(res.json()).toEqual({ ...expected, message: expected.message.replace('system:serviceaccount:default:default', 'mallory') });
    });

    it('appends the review\'s reason to the forbidden message', async () => {
      double.sarPolicy = (spec) =>
        spec.user === 'cc-reason' ? { allowed: false, denied: true, reason: 'no RBAC rule' } : { allowed: !DENIED.has(String(spec.user)) };
      const who = issueCert(pki.clientCA, { commonName: 'cc-reason' });
      const res = await get('/apis/custom.metrics.k8s.io/v1beta1', who);
      expect(res.status).toBe(403);
      expect(res.json<ApiDoc>().message).toBe('forbidden: User "cc-reason" cannot get path "/apis/custom.metrics.k8s.io/v1beta1": no RBAC rule');
    });

    it('caches allow and deny answers', async () => {
      const ok = issueCert(pki.clientCA, { commonName: 'cc-cached' });
      const bad = issueCert(pki.clientCA, { commonName: 'mallory' });
      for (let i = 0; i < 3; i++) {
        expect((await get('/apis/external.metrics.k8s.io/v1beta1', ok)).status).toBe(200);
        expect((await get('/apis/external.metrics.k8s.io/v1beta1', bad)).status).toBe(403);
      }
      const path = (s: SarSpec) => s.nonResourceAttributes?.path === '/apis/external.metrics.k8s.io/v1beta1';
      expect(specsFor('cc-cached').filter(path)).toHaveLength(1);
      expect(specsFor('mallory').filter(path)).toHaveLength(1);
    });

    it('answers a failing SubjectAccessReview endpoint with a Status error, and stays up', async () => {
      double.failSar = true;
      try {
        const who = issueCert(pki.clientCA, { commonName: 'cc-sar-down' });
        const res = await get('/apis/custom.metrics.k8s.io/v1beta2', who);
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: res.status });
        expect(res.json<ApiDoc>().message).not.toContain('authorizer down');
      } finally {
        double.failSar = false;
      }
      expect((await get('/healthz')).status).toBe(200);
      const who = issueCert(pki.clientCA, { commonName: 'cc-sar-down' });
      expect((await get('/apis/custom.metrics.k8s.io/v1beta2', who)).status).toBe(200);
    });

    it('sends the SubjectAccessReview of contract §7.5 for a custom pods `*` request', async () => {
      double.tokens.set('token-hpa', {
        username: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
        uid: '0b9e4c57-4e2a-4f8a-9c55-1f3f8c7a2d10',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': ['JTI=7d3c2a8e-7c1f-4b5e-9a0e-2f6f1d9c0b11'] },
      });
      const res = await get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A/http_requests?labelSelector=app%3Dweb', {
        headers: [['Authorization', 'Bearer token-hpa']],
      });
      expect(res.status).toBe(200);
      const sent = double.requestsTo('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews').at(-1)!;
      expect(JSON.parse(sent.body!)).toEqual(contract('sar-request-custom-pods.json'));
    });

    it('authorizes the namespace-metric route before its rewrite, and nodes `*` without a namespace', async () => {
      const who = issueCert(pki.clientCA, { commonName: 'cc-routes' });
      const ns = await get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/metrics/queue_depth', who);
      expect(ns.status).toBe(200);
      expect(ns.json<ApiDoc>().items[0]).toMatchObject({ describedObject: { kind: 'Namespace', name: 'default' }, value: '12' });
      const nodes = await get('/apis/custom.metrics.k8s.io/v1beta1/nodes/*/node_load', who);
      expect(nodes.status).toBe(200);
      expect(specsFor('cc-routes').map((s) => s.resourceAttributes)).toEqual([
        { namespace: 'default', verb: 'get', group: 'custom.metrics.k8s.io', version: 'v1beta2', resource: 'metrics', name: 'queue_depth' },
        { verb: 'get', group: 'custom.metrics.k8s.io', version: 'v1beta1', resource: 'nodes', subresource: 'node_load', name: '*' },
      ]);
    });

    it('sends the SubjectAccessReview of contract §7.5 for an external metric with a labelSelector', async () => {
      const expected = contract('sar-request-external.json');
      const hpa = issueCert(pki.clientCA, { commonName: expected.spec.user, organizations: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] });
      const res = await get('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker_tasks', hpa);
      expect(res.status).toBe(200);
      expect(res.json<ApiDoc>().items.map((i) => i.value)).toEqual(['42']);
      const sent = JSON.parse(double.requestsTo('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews').at(-1)!.body!);
      const { extra, ...spec } = sent.spec as SarSpec;
      expect({ ...sent, spec }).toEqual(expected);
      expect(Object.keys(extra ?? {})).toEqual(['authentication.kubernetes.io/credential-id']);
    });
  });
});
