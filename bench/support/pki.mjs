// Test PKI for the benchmarks (node-forge, as the server tests' certs.ts): CAs and certificates.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

function rsaPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const subject = (cn, orgs = []) => [...orgs.map((o) => ({ name: 'organizationName', value: o })), { name: 'commonName', value: cn }];

/** A self-signed CA: { cert, key } in PEM. */
export function createCA(commonName) {
  const { privateKey, publicKey } = rsaPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 86400_000);
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

/** A certificate signed by `ca`: a client certificate, or a serving one when `altNames` are given. */
export function issueCert(ca, { commonName, organizations = [], altNames, isCA = false }) {
  const { privateKey, publicKey } = rsaPair();
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '02' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 86400_000);
  cert.setSubject(subject(commonName, organizations));
  cert.setIssuer(caCert.subject.attributes);
  const ext = [
    { name: 'basicConstraints', cA: isCA },
    isCA ? { name: 'keyUsage', keyCertSign: true, digitalSignature: true } : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (!isCA) ext.push({ name: 'extKeyUsage', clientAuth: !altNames, serverAuth: !!altNames });
  if (altNames) ext.push({ name: 'subjectAltName', altNames: altNames.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) });
  cert.setExtensions(ext);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

