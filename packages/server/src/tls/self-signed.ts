import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';

/** A PEM certificate and its PEM private key. */
export interface CertKeyPair {
  readonly cert: string;
  readonly key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** File names inside `--cert-dir`, as the generic apiserver uses. */
export const SELF_SIGNED_FILES = { cert: 'apiserver.crt', key: 'apiserver.key' } as const;

/** The subject alternative names every self-signed serving certificate carries, plus `extra`. */
export function servingNames(extra: readonly string[] = []): string[] {
  return [...new Set(['localhost', '127.0.0.1', ...extra.map((n) => n.trim()).filter((n) => n !== '')])];
}

/**
 * generateSelfSignedCert creates a self-signed RSA-2048 serving certificate valid for one year
 * for `names` (DNS names and IP addresses become DNS and IP SANs), usable for server auth.
 */
export function generateSelfSignedCert(names: readonly string[], now = Date.now()): CertKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pubPem);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 365 * DAY_MS);
  // UTF8String: Go's x509 parser (kubectl) rejects '@' in a PrintableString. (@types/node-forge
  // mistypes valueTagClass; forge writes it as the value's ASN.1 type.)
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  const attrs = [{ name: 'commonName', value: `${names[0] ?? 'localhost'}@${Math.floor(now / 1000)}`, valueTagClass: utf8 }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

/** Whether `pair` is a matching certificate/key valid for at least a day more and for every name. */
export function isUsableServingCert(pair: CertKeyPair, names: readonly string[], now = Date.now()): boolean {
  try {
    const x509 = new X509Certificate(pair.cert);
    if (!x509.checkPrivateKey(createPrivateKey(pair.key))) return false;
    if (Date.parse(x509.validTo) < now + DAY_MS || Date.parse(x509.validFrom) > now) return false;
    return names.every((n) => (isIP(n) ? x509.checkIP(n) !== undefined : x509.checkHost(n) !== undefined));
  } catch {
    return false;
  }
}

/**
 * ensureSelfSignedCert returns the certificate in `certDir` (`apiserver.crt`/`apiserver.key`) when
 * it is usable for `names`, else generates a new one there (mode 0600 for the key).
 */
export function ensureSelfSignedCert(certDir: string, names: readonly string[]): CertKeyPair & { certFile: string; keyFile: string; generated: boolean } {
  const certFile = join(certDir, SELF_SIGNED_FILES.cert);
  const keyFile = join(certDir, SELF_SIGNED_FILES.key);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    if (isUsableServingCert(pair, names)) return { ...pair, certFile, keyFile, generated: false };
  }
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const pair = generateSelfSignedCert(names);
  writeFileSync(keyFile, pair.key, { mode: 0o600 });
  writeFileSync(certFile, pair.cert, { mode: 0o644 });
  return { ...pair, certFile, keyFile, generated: true };
}
