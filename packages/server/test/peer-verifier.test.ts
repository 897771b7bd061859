// PeerVerifier: once per handshake and CA bundle, re-verified on a new handshake, a reloaded CA or
// past the chain's expiry; known intermediates complete a leaf-only chain (resumed sessions).
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthRequest, PeerConnection } from '../src/auth/auth-request.js';
import { PeerVerifier } from '../src/auth/peer-verifier.js';
import { createCA, issueCert } from './kube/certs.js';

const ca = createCA('verifier-ca');
const intermediate = issueCert(ca, { commonName: 'verifier-intermediate', isCA: true });
const leaf = issueCert(intermediate, { commonName: 'alice', organizations: ['devs'], notAfterMs: 3600_000 });
const roots = [new X509Certificate(ca.cert)];
const fullChain = [new X509Certificate(leaf.cert), new X509Certificate(intermediate.cert)];

/** A request over `connection` presenting `chain`; `reads` counts how often the chain was read. */
function request(chain: X509Certificate[], connection?: PeerConnection) {
  const counter = { reads: 0 };
  const req: AuthRequest = {
    headers: {},
    headerLines: new Map(),
    get peerCertificates() {
      counter.reads++;
      return chain;
    },
    connection,
  };
  return { req, counter };
}

describe('PeerVerifier', () => {
  it('verifies once per connection handshake and CA bundle', () => {
    const v = new PeerVerifier();
    const conn = { key: {}, handshake: Buffer.from('finished-1') };
    const a = request(fullChain, conn);
    expect(v.verify(a.req, roots)).toEqual({ peer: expect.objectContaining({ commonName: 'alice', organizations: ['devs'] }) });
    const b = request(fullChain, conn);
    expect(v.verify(b.req, roots)).toMatchObject({ peer: { commonName: 'alice' } });
    expect(b.counter.reads).toBe(0);

    const renegotiated = request(fullChain, { key: conn.key, handshake: Buffer.from('finished-2') });
    v.verify(renegotiated.req, roots);
    expect(renegotiated.counter.reads).toBe(1);

    const reloaded = request(fullChain, { key: conn.key, handshake: Buffer.from('finished-2') });
    expect(v.verify(reloaded.req, [new X509Certificate(ca.cert)])).toMatchObject({ peer: { commonName: 'alice' } });
    expect(reloaded.counter.reads).toBe(1);
  });

  it('verifies again past the expiry of the chain, and then refuses it', () => {
    let now = Date.now();
    const v = new PeerVerifier(() => now);
    const conn = { key: {}, handshake: Buffer.from('f') };
    expect(v.verify(request(fullChain, conn).req, roots)).toHaveProperty('peer');
    now += 2 * 3600_000;
    const late = request(fullChain, conn);
    expect(v.verify(late.req, roots)).toEqual({ error: 'x509: certificate has expired or is not yet valid' });
    expect(late.counter.reads).toBe(1);
  });

  it('completes a leaf-only chain (resumed session) with an intermediate verified before, never otherwise', () => {
    const v = new PeerVerifier();
    const leafOnly = [fullChain[0]];
    expect(v.verify(request(leafOnly).req, roots)).toEqual({ error: 'x509: certificate signed by unknown authority' });
    expect(v.verify(request(fullChain).req, roots)).toHaveProperty('peer');
    expect(v.verify(request(leafOnly).req, roots)).toMatchObject({ peer: { commonName: 'alice' } });
    // The remembered intermediate still has to chain to the roots given.
    expect(v.verify(request(leafOnly).req, [new X509Certificate(createCA('other-ca').cert)])).toEqual({ error: 'x509: certificate signed by unknown authority' });
  });

  it('reports no certificate as undefined', () => {
    expect(new PeerVerifier().verify(request([]).req, roots)).toBeUndefined();
  });
});

describe('PeerVerifier failures', () => {
  it('keeps a failed verification for the connection a short while, then verifies again', () => {
    let now = Date.now();
    const v = new PeerVerifier(() => now);
    const conn = { key: {}, handshake: Buffer.from('f') };
    const other = [new X509Certificate(createCA('unrelated-ca').cert)];
    expect(v.verify(request(fullChain, conn).req, other)).toEqual({ error: 'x509: certificate signed by unknown authority' });
    const again = request(fullChain, conn);
    expect(v.verify(again.req, other)).toEqual({ error: 'x509: certificate signed by unknown authority' });
    expect(again.counter.reads).toBe(0);
    now += 11_000;
    const later = request(fullChain, conn);
    v.verify(later.req, other);
    expect(later.counter.reads).toBe(1);
    // The same connection still verifies against the right roots.
    expect(v.verify(request(fullChain, conn).req, roots)).toMatchObject({ peer: { commonName: 'alice' } });
  });
});
