// Authentication settings from ConfigMap kube-system/extension-apiserver-authentication (no CA
// flags given), and live changes to it, on the real server against the kube-apiserver double.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../test-support/index.js';
import type { RunningServer } from '../src/cli/serve.js';
import { KubeApiserverDouble } from './kube/apiserver-double.js';
import { createCA, issueCert, type TestCert } from './kube/certs.js';
import { httpsGet, type ClientOptions } from './support/https-client.js';
import { createTestPki, sarSpecs, seedCluster, startSecureServer, type TestPki } from './support/secure-server.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../core/test/contract/configmap-extension-apiserver-authentication.json', import.meta.url), 'utf8'),
) as { metadata: { name: string; namespace: string }; data: Record<string, string> };

describe('authentication settings from the extension-apiserver-authentication ConfigMap', () => {
  const dir = tempDir('auth-cm');
  let double: KubeApiserverDouble;
  let pki: TestPki;
  let server: RunningServer;

  const get = (path: string, o: ClientOptions = {}) => httpsGet(`https://127.0.0.1:${server.port}${path}`, { ca: pki.servingCA.cert, ...o });
  const publish = (data: Record<string, string>) => double.upsert('configmaps', { metadata: { ...fixture.metadata }, data });
  const usersSeen = () => sarSpecs(double).map((s) => s.user as string);

  beforeAll(async () => {
    double = await KubeApiserverDouble.start();
    seedCluster(double);
    double.sarPolicy = () => ({ allowed: true });
    pki = createTestPki();
    // The contract's ConfigMap, with real PEMs in place of its placeholders.
    publish({ ...fixture.data, 'client-ca-file': pki.clientCA.cert, 'requestheader-client-ca-file': pki.frontProxyCA.cert });
    server = await startSecureServer(dir.path, double, pki);
  });

  afterAll(async () => {
    await server?.shutdown();
    await double?.close();
    dir.remove();
  });

  it('reads the ConfigMap (GET) and watches it', () => {
    const path = '/api/v1/namespaces/kube-system/configmaps';
    expect(double.requestsTo('GET', `${path}/extension-apiserver-authentication`)).toHaveLength(1);
    expect(double.requestsTo('GET', path).some((r) => r.query.get('watch') === 'true')).toBe(true);
  });

  it('uses client-ca-file for x509 client certificates', async () => {
    const client = issueCert(pki.clientCA, { commonName: 'cm-alice', organizations: ['team'] });
    const res = await get('/apis/custom.metrics.k8s.io/v1beta2', client);
    expect(res.status).toBe(200);
    expect(sarSpecs(double).find((s) => s.user === 'cm-alice')?.groups).toEqual(['team', 'system:authenticated']);
  });

  it('uses the requestheader CA, allowed names and header names', async () => {
    const proxy = issueCert(pki.frontProxyCA, { commonName: 'front-proxy-client' });
    const ok = await get('/apis/custom.metrics.k8s.io/v1beta2', { ...proxy, headers: [['X-Remote-User', 'cm-bob'], ['X-Remote-Group', 'g']] });
    expect(ok.status).toBe(200);
    expect(sarSpecs(double).find((s) => s.user === 'cm-bob')?.groups).toEqual(['g', 'system:authenticated']);
    const wrongCn = issueCert(pki.frontProxyCA, { commonName: 'someone-else' });
    expect((await get('/apis/custom.metrics.k8s.io/v1beta2', { ...wrongCn, headers: [['X-Remote-User', 'cm-eve']] })).status).toBe(401);
  });

  it('picks up a changed ConfigMap: rotated CAs, allowed names and header names', async () => {
    const clientCA2: TestCert = createCA('client-ca-2');
    const proxyCA2: TestCert = createCA('front-proxy-ca-2');
    publish({
      ...fixture.data,
      'client-ca-file': clientCA2.cert,
      'requestheader-client-ca-file': proxyCA2.cert,
      'requestheader-allowed-names': JSON.stringify(['aggregator-2']),
      'requestheader-username-headers': JSON.stringify(['X-Proxy-User']),
    });
    const oldClient = issueCert(pki.clientCA, { commonName: 'cm-old-client' });
    await waitFor('the rotated client CA to apply', async () => (await get('/apis/custom.metrics.k8s.io/v1beta2', oldClient)).status === 401, 10_000);

    const newClient = issueCert(clientCA2, { commonName: 'cm-new-client' });
    expect((await get('/apis/custom.metrics.k8s.io/v1beta2', newClient)).status).toBe(200);

    const proxy2 = issueCert(proxyCA2, { commonName: 'aggregator-2' });
    const res = await get('/apis/custom.metrics.k8s.io/v1beta2', { ...proxy2, headers: [['X-Proxy-User', 'cm-carol'], ['X-Remote-User', 'cm-ignored']] });
    expect(res.status).toBe(200);
    expect(usersSeen()).toContain('cm-carol');
    expect(usersSeen()).not.toContain('cm-ignored');

    const oldProxy = issueCert(pki.frontProxyCA, { commonName: 'aggregator-2' });
    expect((await get('/apis/custom.metrics.k8s.io/v1beta2', { ...oldProxy, headers: [['X-Proxy-User', 'cm-dan']] })).status).toBe(401);
  });

  it('re-watches after kube-apiserver ends the watch, and still picks up changes', async () => {
    double.endWatches();
    const proxyCA3 = createCA('front-proxy-ca-3');
    publish({ ...fixture.data, 'client-ca-file': pki.clientCA.cert, 'requestheader-client-ca-file': proxyCA3.cert });
    const proxy3 = issueCert(proxyCA3, { commonName: 'front-proxy-client' });
    await waitFor(
      'the ConfigMap change after a re-watch',
      async () => (await get('/apis/custom.metrics.k8s.io/v1beta2', { ...proxy3, headers: [['X-Remote-User', 'cm-after-rewatch']] })).status === 200,
      15_000,
    );
    expect(usersSeen()).toContain('cm-after-rewatch');
  });

  it('survives an invalid ConfigMap and applies the next valid one', async () => {
    publish({ ...fixture.data, 'requestheader-client-ca-file': 'not a PEM', 'requestheader-allowed-names': '{oops' });
    const proxyCA4 = createCA('front-proxy-ca-4');
    publish({ ...fixture.data, 'client-ca-file': pki.clientCA.cert, 'requestheader-client-ca-file': proxyCA4.cert });
    const proxy4 = issueCert(proxyCA4, { commonName: 'front-proxy-client' });
    await waitFor(
      'the valid ConfigMap after an invalid one',
      async () => (await get('/apis/custom.metrics.k8s.io/v1beta2', { ...proxy4, headers: [['X-Remote-User', 'cm-after-invalid']] })).status === 200,
      10_000,
    );
    expect(usersSeen()).toContain('cm-after-invalid');
  });
});

describe('start-up without the extension-apiserver-authentication ConfigMap', () => {
  const dir = tempDir('auth-cm-missing');
  let double: KubeApiserverDouble;
  let started: RunningServer | undefined;

  beforeAll(async () => {
    double = await KubeApiserverDouble.start();
    seedCluster(double);
  });

  afterAll(async () => {
    await started?.shutdown();
    await double?.close();
    dir.remove();
  });

  it('fails without --authentication-tolerate-lookup-failure, naming the ConfigMap problem', async () => {
    await expect(startSecureServer(dir.path, double, createTestPki())).rejects.toThrow(/unable to load configmap based request-header-client-ca-file/);
  });

  it('starts with --authentication-tolerate-lookup-failure (front proxy and x509 off, tokens still work)', async () => {
    const pki = createTestPki();
    started = await startSecureServer(dir.path, double, pki, { authenticationTolerateLookupFailure: true });
    double.tokens.set('t-tolerate', { username: 'tolerated' });
    double.sarPolicy = () => ({ allowed: true });
    const get = (o: ClientOptions) => httpsGet(`https://127.0.0.1:${started!.port}/apis/custom.metrics.k8s.io/v1beta2`, { ca: pki.servingCA.cert, ...o });
    expect((await get({ headers: [['Authorization', 'Bearer t-tolerate']] })).status).toBe(200);
    const proxy = issueCert(pki.frontProxyCA, { commonName: 'front-proxy-client' });
    // No requestheader CA: the identity headers are ignored, the certificate identifies nobody.
    expect((await get({ ...proxy, headers: [['X-Remote-User', 'nobody']] })).status).toBe(200);
    expect(sarSpecs(double).map((s) => s.user)).toEqual(['tolerated', 'system:anonymous']);
  });
});
