import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRest } from '../../src/kube/rest.js';
import { KubeApiserverDouble } from './apiserver-double.js';

describe('KubeRest connections', () => {
  let double: KubeApiserverDouble;
  let dir: string;
  beforeAll(async () => {
    double = await KubeApiserverDouble.start();
    double.sarPolicy = () => ({ allowed: true });
    dir = mkdtempSync(join(tmpdir(), 'kube-rest-'));
  });
  afterAll(async () => {
    await double.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'alice', resourceAttributes: { verb: 'get', resource: 'pods' } } };

  it('sends the requests of one TLS identity over one kept-alive connection (client-node builds an agent per request)', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(double.writeKubeconfig(dir));
    const rest = new KubeRest(kc);
    const before = double.tlsConnections;
    for (let i = 0; i < 5; i++) {
      const answer = await rest.requestOK<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review);
      expect(answer.status.allowed).toBe(true);
    }
    await Promise.all(Array.from({ length: 3 }, () => rest.requestOK('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review)));
    expect(double.tlsConnections - before).toBeLessThanOrEqual(3);
    const sequential = double.tlsConnections;
    await rest.requestOK('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review);
    expect(double.tlsConnections).toBe(sequential);
    rest.close();
  });

  it('opens a new connection when the TLS material changes, and reaches the server either way', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(double.writeKubeconfig(dir));
    const rest = new KubeRest(kc);
    await rest.requestOK('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review);
    const before = double.tlsConnections;
    // Same server and CA, but the client now skips verification: another TLS identity, another agent.
    const cluster = kc.getCurrentCluster();
    kc.clusters = kc.clusters.map((c) => (c.name === cluster?.name ? { ...c, skipTLSVerify: true, caData: undefined } : c));
    await rest.requestOK('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review);
    expect(double.tlsConnections).toBe(before + 1);
    rest.close();
  });
});
