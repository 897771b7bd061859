// Makes a client CA + a system:masters client certificate (openssl) and a kubeconfig for kubectl.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes ca.crt and a kubeconfig (client cert in group system:masters) into `dir`; returns their paths. */
export function makeKubectlClient(dir: string, port: number): { caFile: string; kubeconfig: string } {
  const p = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '1', '-subj', '/CN=test-ca');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('client.key'), '-out', p('client.csr'), '-subj', '/O=system:masters/CN=admin');
  ssl('x509', '-req', '-in', p('client.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('client.crt'), '-days', '1');
  const b64 = (f: string) => readFileSync(p(f)).toString('base64');
  const kubeconfig = p('kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: local\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
      'users:',
      `- name: admin\n  user:\n    client-certificate-data: ${b64('client.crt')}\n    client-key-data: ${b64('client.key')}`,
      'contexts:',
      '- name: local\n  context:\n    cluster: local\n    user: admin',
      'current-context: local',
      '',
    ].join('\n'),
  );
  return { caFile: p('ca.crt'), kubeconfig };
}
