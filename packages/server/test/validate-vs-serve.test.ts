import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../../test-support/index.js';
import { runCli } from '../src/cli/run.js';
import { generateSelfSignedCert } from '../src/tls/self-signed.js';

// validate-config is a dry run of serve: every config serve refuses at start-up, validate-config
// refuses with exit 2 and the very same message; a config it accepts, serve starts with.

const dir = tempDir('validate-vs-serve');
afterAll(() => dir.remove());
const d = dir.path;
const a = generateSelfSignedCert(['localhost']);
const b = generateSelfSignedCert(['localhost']);
writeFileSync(`${d}/a.crt`, a.cert);
writeFileSync(`${d}/a.key`, a.key);
writeFileSync(`${d}/b.key`, b.key);
writeFileSync(`${d}/not-pem.crt`, 'this is not a certificate\n');
writeFileSync(`${d}/kubeconfig-broken`, 'apiVersion: v1\nkind: Config\nclusters: {oops\n');
writeFileSync(`${d}/empty-token`, '\n');
mkdirSync(`${d}/a-directory`);

const mem = (metric = 'rps') => ['  - name: mem', '    type: memory', '    config:', '      custom:', `        - { resource: pods, metric: ${metric}, default: 1 }`];
const influx = (extra: string[]) => ['  - name: influx', '    type: influx', '    config:', '      mode: flux', '      url: http://127.0.0.1:1', '      org: acme', ...extra];

/** name, config lines, the message both must print. */
const BAD: Array<[string, string[], string]> = [
  ['a missing client CA file', ['server:', `  clientCaFile: ${d}/missing-ca.crt`, 'backends:', ...mem()], `server.clientCaFile: ${d}/missing-ca.crt: no such file`],
  ['a client CA file that is not PEM', ['server:', `  clientCaFile: ${d}/not-pem.crt`, 'backends:', ...mem()], `server.clientCaFile: ${d}/not-pem.crt: not a PEM CA bundle (no PEM certificate found)`],
  ['a front-proxy CA that is a directory', ['server:', `  requestheaderClientCaFile: ${d}/a-directory`], `server.requestheaderClientCaFile: ${d}/a-directory: is a directory, not a file`],
  ['a missing serving certificate', ['server:', `  tlsCertFile: ${d}/missing.crt`, `  tlsPrivateKeyFile: ${d}/a.key`], `server.tlsCertFile: ${d}/missing.crt: no such file`],
  ['a key that does not match the certificate', ['server:', `  tlsCertFile: ${d}/a.crt`, `  tlsPrivateKeyFile: ${d}/b.key`], `server.tlsPrivateKeyFile: ${d}/b.key: does not match the certificate in ${d}/a.crt`],
  ['a certificate file that is not PEM', ['server:', `  tlsCertFile: ${d}/not-pem.crt`, `  tlsPrivateKeyFile: ${d}/a.key`], `server.tlsCertFile: ${d}/not-pem.crt: not a PEM certificate`],
  ['a certificate without its key', ['server:', `  tlsCertFile: ${d}/a.crt`], 'server.tlsPrivateKeyFile: to be set together with the other of tlsCertFile / tlsPrivateKeyFile'],
  ['a certDir under a file', ['server:', `  certDir: ${d}/not-pem.crt/certs`], `server.certDir: ${d}/not-pem.crt/certs: ${d}/not-pem.crt is a file, not a directory`],
  ['a missing kubeconfig', ['server:', `  authenticationKubeconfig: ${d}/no-kubeconfig`], `server.authenticationKubeconfig: ${d}/no-kubeconfig: no such file`],
  ['a broken kubeconfig', ['server:', `  kubeconfig: ${d}/kubeconfig-broken`], `server.kubeconfig: ${d}/kubeconfig-broken: not a usable kubeconfig`],
  ['an unset environment variable', ['backends:', ...influx(['      token: ${VALIDATE_VS_SERVE_UNSET}'])], 'backends[0].config.token: environment variable VALIDATE_VS_SERVE_UNSET is not set'],
  ['a missing token file', ['backends:', ...influx([`      tokenFile: ${d}/no-token`])], `backends[0].config.tokenFile: cannot read ${d}/no-token (ENOENT)`],
  ['an empty token file', ['backends:', ...influx([`      tokenFile: ${d}/empty-token`])], `backends[0].config.tokenFile: ${d}/empty-token is empty`],
  ['an unknown template placeholder', ['backends:', ...influx(['      token: t', '      external:', '        - { metric: q, query: "from(bucket: {{nope}})" }'])], 'backends[0].config.external[0].query: '],
  ['a Prometheus rule with a bad regex', ['backends:', '  - name: prom', '    type: prometheus', '    config:', '      url: http://127.0.0.1:1', '      rules:', '        - seriesQuery: \'{__name__="x_total"}\'', '          name: { matches: "([", as: "x" }', '          metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'], 'backends[0].config.rules[0].name.matches: '],
  ['a missing Prometheus token file', ['backends:', '  - name: prom', '    type: prometheus', '    config:', '      url: http://127.0.0.1:1', `      auth: { bearerTokenFile: ${d}/no-prom-token }`], `backends[0].config.auth.bearerTokenFile: cannot read ${d}/no-prom-token (ENOENT)`],
  ['a missing Datadog key file', ['backends:', '  - name: dd', '    type: datadog', '    config:', `      apiKey: { file: ${d}/no-api-key }`, `      appKey: { file: ${d}/no-api-key }`], `datadog apiKey: cannot read ${d}/no-api-key (ENOENT)`],
  ['a backend config field of the wrong type', ['backends:', '  - name: mem', '    type: memory', '    config:', '      custom: 3'], 'backends[0].config.custom: must be of type array'],
  ['an unknown backend type', ['backends:', '  - name: x', '    type: ./nope.mjs'], 'backends[0].type'],
  ['two instances serving the same metric', ['backends:', ...mem(), ...mem().map((l) => l.replace('name: mem', 'name: mem2'))], 'backends: '],
  ['bad YAML', ['server: [unclosed'], '(root): valid YAML'],
  [
    'a standalone resource declared twice',
    ['standalone:', '  resources:', '    - { group: argoproj.io, version: v1alpha1, kind: Rollout, resource: rollouts }', '    - { group: argoproj.io, version: v1, kind: Rollout, resource: rollouts }'],
    'standalone.resources[1].resource: a resource declared once ("rollouts.argoproj.io" is already declared by standalone.resources[0])',
  ],
  ['a standalone object of an undeclared kind', ['standalone:', '  objects:', '    - { resource: rollouts.argoproj.io, namespace: demo, name: web }'], 'standalone.objects[0].resource: a known resource ('],
];

async function run(argv: string[]): Promise<{ code: number; err: string; started: boolean }> {
  let err = '';
  let started = false;
  const code = await runCli(argv, {
    stdout: () => undefined,
    stderr: (s) => (err += s),
    onServing: async (server) => {
      started = true;
      await server.shutdown();
      return 0;
    },
  });
  return { code, err, started };
}

function write(name: string, lines: string[]): string {
  const file = `${d}/${name.replace(/\W+/g, '-')}.yaml`;
  writeFileSync(file, [...lines, ''].join('\n'));
  return file;
}

const serveFlags = ['--secure-port', '0', '--bind-address', '127.0.0.1', '--cert-dir', `${d}/certs`, '--log-level', 'silent', '--standalone', '--shutdown-timeout', '2s'];
/** The flags for a config: without --cert-dir when the config sets certDir (flags would win). */
const flagsFor = (lines: string[]) => (lines.some((l) => l.includes('certDir:')) ? serveFlags.filter((f, i) => f !== '--cert-dir' && serveFlags[i - 1] !== '--cert-dir') : serveFlags);

describe('validate-config and serve agree', () => {
  it.each(BAD)('on %s: both exit 2 with the same message naming the field', async (name, lines, message) => {
    const file = write(name, lines);
    const validate = await run(['validate-config', file, ...flagsFor(lines)]);
    const serve = await run(['serve', '--config', file, ...flagsFor(lines)]);
    expect(validate.code, validate.err).toBe(2);
    expect(validate.err).toContain(message);
    expect(serve.started).toBe(false);
    expect(serve.code, serve.err).toBe(2);
    expect(serve.err).toBe(validate.err);
  });

  it('on a good config: validate-config says OK and serve starts', async () => {
    const file = write('good', ['server:', `  tlsCertFile: ${d}/a.crt`, `  tlsPrivateKeyFile: ${d}/a.key`, 'backends:', ...mem()]);
    expect(await run(['validate-config', file, ...serveFlags])).toEqual({ code: 0, err: '', started: false });
    const serve = await run(['serve', '--config', file, ...serveFlags]);
    expect(serve).toEqual({ code: 0, err: '', started: true });
  });

  it('on --authentication-kubeconfig without a cluster to read objects from (no --kubeconfig, $KUBECONFIG, in-cluster or ~/.kube/config)', async () => {
    mkdirSync(`${d}/empty-home`, { recursive: true });
    writeFileSync(`${d}/authn-kubeconfig`, 'apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{ name: k, cluster: { server: "https://127.0.0.1:1" } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\n');
    vi.stubEnv('HOME', `${d}/empty-home`);
    vi.stubEnv('KUBECONFIG', '');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    try {
      const file = write('authn-only', ['backends:', ...mem()]);
      const flags = [...serveFlags.filter((f) => f !== '--standalone'), '--authentication-kubeconfig', `${d}/authn-kubeconfig`];
      const validate = await run(['validate-config', file, ...flags]);
      const serve = await run(['serve', '--config', file, ...flags]);
      expect(validate.code, validate.err).toBe(2);
      expect(validate.err).toContain('server.kubeconfig: a cluster to read objects from: --authentication-kubeconfig is set');
      expect(serve).toEqual({ ...validate, started: false });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('validate-config checks the files flags name too', async () => {
    const file = write('flags', ['backends:', ...mem()]);
    const r = await run(['validate-config', file, '--client-ca-file', `${d}/missing-ca.crt`]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`server.clientCaFile: ${d}/missing-ca.crt: no such file`);
  });
});
