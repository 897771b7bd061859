import { createHash, X509Certificate } from 'node:crypto';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';
const MAX_DEPTH = 8;
const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parses every certificate of a PEM bundle. Throws when the bundle holds none or a bad one. */
export function parsePemBundle(pem: string | Buffer): X509Certificate[] {
  const blocks = String(pem).match(PEM_RE) ?? [];
  if (blocks.length === 0) throw new Error('no PEM certificate found');
  return blocks.map((b) => new X509Certificate(b));
}

function validNow(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

function allowsClientAuth(cert: X509Certificate): boolean {
  const eku = cert.keyUsage as string[] | undefined;
  return !eku || eku.length === 0 || eku.includes(CLIENT_AUTH) || eku.includes(ANY_EKU);
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * verifyClientChain verifies a presented chain (leaf first, then intermediates) against `roots`
 * as Go's `x509.Certificate.Verify` with `KeyUsages: [ClientAuth]`: signatures, validity at `now`,
 * CA flags on issuers and the extended key usage of every certificate in the chain.
 * `pool` adds candidate intermediates (Go's `Intermediates`), tried after the presented ones.
 * Returns the verified path (leaf first, root last) on success, else the error message (Go's wording).
 */
export function verifyClientChain(
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now = Date.now(),
  pool: readonly X509Certificate[] = [],
): X509Certificate[] | string {
  if (chain.length === 0) return 'x509: no certificate presented';
  const leaf = chain[0];
  if (!validNow(leaf, now)) return 'x509: certificate has expired or is not yet valid';
  const intermediates = [...chain.slice(1), ...pool].filter((c) => c.ca && validNow(c, now));
  const path: X509Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const root = roots.find((r) => r.ca && validNow(r, now) && issuedBy(current, r));
    if (root) {
      path.push(root);
      if (!path.every(allowsClientAuth)) return 'x509: certificate specifies an incompatible key usage';
      return path;
    }
    const next = intermediates.find((i) => !path.includes(i) && issuedBy(current, i));
    if (!next) break;
    path.push(next);
    current = next;
  }
  return 'x509: certificate signed by unknown authority';
}

/** Subject attributes of a certificate: the common name and the organizations. */
export function subjectOf(cert: X509Certificate): { commonName: string; organizations: string[] } {
  let commonName = '';
  const organizations: string[] = [];
  for (const line of cert.subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === 'CN' && commonName === '') commonName = value;
    if (key === 'O') organizations.push(value);
  }
  return { commonName, organizations };
}

/** `X509SHA256=<hex>` of the certificate's DER, as apiserver's credential-id extra. */
export function credentialId(cert: X509Certificate): string {
  return `X509SHA256=${createHash('sha256').update(cert.raw).digest('hex')}`;
}
