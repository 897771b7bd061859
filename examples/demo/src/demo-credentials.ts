import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/** Files the demo writes for kubectl and the server. */
export interface DemoCredentials {
  /** The demo CA: the server trusts it for client certificates (`clientCaFile`), kubectl for the server. */
  readonly caFile: string;
  /** The server's certificate (for 127.0.0.1 and localhost), signed by the demo CA. */
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  /** A kubeconfig for kubectl: the demo server, the demo CA, a client certificate in `system:masters`. */
  readonly kubeconfig: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function keyPair(): { keyPem: string; pubPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), pubPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

type Usage = 'ca' | 'client' | 'server';

function certificate(subject: forge.pki.CertificateField[], issuer: forge.pki.CertificateField[], pubPem: string, signKeyPem: string, usage: Usage): string {
  const now = Date.now();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pubPem);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 30 * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(
    usage === 'ca'
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          usage === 'client' ? { name: 'extKeyUsage', clientAuth: true } : { name: 'extKeyUsage', serverAuth: true },
          ...(usage === 'server'
            ? [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }]
            : []),
        ],
  );
  cert.sign(forge.pki.privateKeyFromPem(signKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/**
 * writeDemoCredentials creates a throw-away demo CA, a serving certificate for 127.0.0.1 signed by
 * it, a client certificate for user `demo-admin` in group `system:masters` (which the server's
 * authorizer always allows), and a kubeconfig using both against `serverUrl` (TLS verified against
 * the demo CA). Everything is written under `dir`.
 */
export function writeDemoCredentials(dir: string, serverUrl: string): DemoCredentials {
  const ca = keyPair();
  const caName = [{ name: 'commonName', value: 'custom-metrics-demo-ca' }];
  const caPem = certificate(caName, caName, ca.pubPem, ca.keyPem, 'ca');
  const serving = keyPair();
  const servingPem = certificate([{ name: 'commonName', value: 'custom-metrics-demo-server' }], caName, serving.pubPem, ca.keyPem, 'server');
  const user = keyPair();
  const userPem = certificate(
    [
      { name: 'commonName', value: 'demo-admin' },
      { name: 'organizationName', value: 'system:masters' },
    ],
    caName,
    user.pubPem,
    ca.keyPem,
    'client',
  );
  const caFile = join(dir, 'demo-ca.crt');
  writeFileSync(caFile, caPem);
  const servingCertFile = join(dir, 'apiserver.crt');
  const servingKeyFile = join(dir, 'apiserver.key');
  writeFileSync(servingCertFile, servingPem);
  writeFileSync(servingKeyFile, serving.keyPem, { mode: 0o600 });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: custom-metrics-demo',
      '  cluster:',
      `    server: ${serverUrl}`,
      `    certificate-authority-data: ${b64(caPem)}`,
      'users:',
      '- name: demo-admin',
      '  user:',
      `    client-certificate-data: ${b64(userPem)}`,
      `    client-key-data: ${b64(user.keyPem)}`,
      'contexts:',
      '- name: custom-metrics-demo',
      '  context:',
      '    cluster: custom-metrics-demo',
      '    user: demo-admin',
      'current-context: custom-metrics-demo',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return { caFile, servingCertFile, servingKeyFile, kubeconfig };
}
