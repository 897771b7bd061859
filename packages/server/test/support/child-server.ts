import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitFor } from '../../../../test-support/index.js';
import { createCA, issueCert } from '../kube/certs.js';

const main = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** The answer to one request to the child server. */
export interface ChildAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

/** The real server (`dist/cli/main.js`) in its own process, TLS on a free loopback port. */
export interface ChildServer {
  readonly port: number;
  /** The config file the server was given. */
  readonly configFile: string;
  /** A kubeconfig for `kubectl` with the same `system:masters` client certificate the requests carry. */
  readonly kubeconfig: string;
  get(path: string, timeoutMs?: number): Promise<ChildAnswer>;
  /** Sends `body` with `method` (e.g. a POST to the memory backend's write endpoint). */
  send(method: string, path: string, body: string, timeoutMs?: number): Promise<ChildAnswer>;
  /** Writes the config again, the same `server:` section followed by `yaml`, the way `options.write` writes it. */
  rewrite(yaml: string[]): void;
  /** Sends the process a signal (e.g. SIGHUP). */
  signal(signal: NodeJS.Signals): void;
  /** Whether the process is still running. */
  alive(): boolean;
  output(): string;
  stop(): Promise<void>;
}

/**
 * startChildServer writes `yaml` (the `backends:` part and anything else after `server:`) into
 * `dir`, runs the CLI with `nodeArgs` (e.g. `--max-old-space-size=256`) in standalone mode, and
 * resolves once `/livez` answers. Requests carry a client certificate in `system:masters` (a test
 * CA's), so they pass the real authentication and authorization.
 */
export async function startChildServer(
  dir: string,
  yaml: string[],
  nodeArgs: string[] = [],
  options: {
    /** The config file the server is given (default `dir/config.yaml`). */
    file?: string;
    /** How the config text reaches the file (default: written in place). */
    write?: (file: string, text: string) => void;
  } = {},
): Promise<ChildServer> {
  const port = await freePort();
  const ca = createCA('child-server-ca');
  const serving = issueCert(ca, { commonName: '127.0.0.1', altNames: ['127.0.0.1', 'localhost'] });
  const { cert, key } = issueCert(ca, { commonName: 'admin', organizations: ['system:masters'] });
  const creds = { caFile: join(dir, 'ca.crt'), servingCertFile: join(dir, 'serving.crt'), servingKeyFile: join(dir, 'serving.key') };
  writeFileSync(creds.caFile, ca.cert);
  writeFileSync(creds.servingCertFile, serving.cert);
  writeFileSync(creds.servingKeyFile, serving.key, { mode: 0o600 });
  const kubeconfig = join(dir, 'kubectl.kubeconfig');
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'child', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': b64(ca.cert) } }],
      users: [{ name: 'admin', user: { 'client-certificate-data': b64(cert), 'client-key-data': b64(key) } }],
      contexts: [{ name: 'child', context: { cluster: 'child', user: 'admin' } }],
      'current-context': 'child',
    }),
    { mode: 0o600 },
  );
  const file = options.file ?? join(dir, 'config.yaml');
  const write = options.write ?? ((f: string, text: string) => writeFileSync(f, text));
  const render = (rest: string[]) =>
    [
      'server:',
      `  securePort: ${port}`,
      '  bindAddress: 127.0.0.1',
      `  tlsCertFile: ${creds.servingCertFile}`,
      `  tlsPrivateKeyFile: ${creds.servingKeyFile}`,
      `  clientCaFile: ${creds.caFile}`,
      '  logLevel: warn',
      '  shutdownTimeoutSeconds: 2',
      '  authorizationAlwaysAllowPaths: [/healthz, /readyz, /livez, /metrics]',
      ...rest,
      '',
    ].join('\n');
  write(file, render(yaml));
  const proc = startProcess(process.execPath, [...nodeArgs, main, '--config', file, '--standalone']);
  const send = (method: string, path: string, body: string | undefined, timeoutMs = 30_000) =>
    new Promise<ChildAnswer>((resolve, reject) => {
      const started = performance.now();
      const req = request({ method, host: '127.0.0.1', port, path, ca: readFileSync(creds.caFile), cert, key, agent: false, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, ms: performance.now() - started }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  const get = (path: string, timeoutMs = 30_000) => send('GET', path, undefined, timeoutMs);
  await waitFor(
    'the server child process to serve /livez',
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`server exited ${proc.child.exitCode}: ${proc.output()}`);
      return (await get('/livez', 2_000)).status === 200;
    },
    60_000,
    200,
  );
  return {
    port,
    configFile: file,
    kubeconfig,
    get,
    send: (method, path, body, timeoutMs) => send(method, path, body, timeoutMs),
    rewrite: (rest) => write(file, render(rest)),
    signal: (signal) => void proc.child.kill(signal),
    alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
    output: proc.output,
    stop: () => proc.stop(),
  };
}
