// Kubeconfigs for clients of the server under test.
import { writeFileSync } from 'node:fs';

/** Writes a kubeconfig for `server` (trusting `caPem`) authenticating with a client certificate. */
export function writeCertKubeconfig(file: string, server: string, caPem: string, client: { cert: string; key: string }): string {
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'cms', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
      users: [{ name: 'client', user: { 'client-certificate-data': Buffer.from(client.cert).toString('base64'), 'client-key-data': Buffer.from(client.key).toString('base64') } }],
      contexts: [{ name: 'cms', context: { cluster: 'cms', user: 'client' } }],
      'current-context': 'cms',
    }),
  );
  return file;
}
