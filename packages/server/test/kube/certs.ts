// Test PKI built with node-forge: CAs, and client/server certificates signed by them.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A certificate with its key, in PEM. */
export interface TestCert {
  readonly cert: string;
  readonly key: string;
}

/** Options of {@link issueCert}. */
export interface IssueOptions {
  commonName: string;
  organizations?: string[];
  /** DNS names / IPs for a server certificate. */
  altNames?: string[];
  /** Extended key usages (default: clientAuth for client certs, serverAuth when altNames given). */
  usages?: Array<'clientAuth' | 'serverAuth'>;
  /** Validity window relative to now, in ms (default: from -1 h to +1 day). */
  notBeforeMs?: number;
  notAfterMs?: number;
  /** Make this an (intermediate) CA. */
  isCA?: boolean;
}

function rsaPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function subject(cn: string, orgs: string[] = []): forge.pki.CertificateField[] {
  return [...orgs.map((o) => ({ name: 'organizationName', value: o })), { name: 'commonName', value: cn }];
}

/** Creates a self-signed CA. */
export function createCA(commonName: string): TestCert {
  const { privateKey, publicKey } = rsaPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 7 * 86400_000);
  cert.setSubject(subject(commonName));
  cert.setIssuer(subject(commonName));
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

/** Issues a certificate signed by `ca`. */
export function issueCert(ca: TestCert, o: IssueOptions): TestCert {
  const { privateKey, publicKey } = rsaPair();
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '02' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() + (o.notBeforeMs ?? -3600_000));
  cert.validity.notAfter = new Date(Date.now() + (o.notAfterMs ?? 86400_000));
  cert.setSubject(subject(o.commonName, o.organizations));
  cert.setIssuer(caCert.subject.attributes);
  const usages = o.usages ?? (o.altNames ? ['serverAuth'] : ['clientAuth']);
  const ext: object[] = [
    { name: 'basicConstraints', cA: !!o.isCA },
    o.isCA
      ? { name: 'keyUsage', keyCertSign: true, digitalSignature: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (!o.isCA) ext.push({ name: 'extKeyUsage', clientAuth: usages.includes('clientAuth'), serverAuth: usages.includes('serverAuth') });
  if (o.altNames) {
    ext.push({ name: 'subjectAltName', altNames: o.altNames.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) });
  }
  cert.setExtensions(ext);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}
