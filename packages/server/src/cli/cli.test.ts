import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/index.js';
import { runCli } from './run.js';

const dir = tempDir('cli');
afterAll(() => dir.remove());

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('custom-metrics-server CLI', () => {
  it('validate-config prints "config OK" and exits 0 for a good file', async () => {
    const file = `${dir.path}/good.yaml`;
    writeFileSync(file, 'backends:\n  - name: mem\n    type: memory\n    config:\n      custom:\n        - { resource: pods, metric: rps, default: 1 }\n');
    expect(await run(['validate-config', file])).toEqual({ code: 0, out: 'config OK\n', err: '' });
  });

  it('validate-config exits 2 naming the bad field, including inside a backend config', async () => {
    const file = `${dir.path}/bad.yaml`;
    writeFileSync(file, 'server:\n  securePort: high\nbackends:\n  - name: mem\n    type: memory\n');
    const r = await run(['validate-config', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('server.securePort: must be of type integer');
    writeFileSync(file, 'backends:\n  - name: mem\n    type: memory\n    config:\n      custom:\n        - { resource: pods }\n');
    const r2 = await run(['validate-config', file]);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('backends[0].config.custom[0].metric: is required');
  });

  it('exits 2 for an unreadable file, an unknown backend type and bad flags', async () => {
    expect((await run(['validate-config', `${dir.path}/missing.yaml`])).code).toBe(2);
    const file = `${dir.path}/unknown.yaml`;
    writeFileSync(file, 'backends:\n  - name: x\n    type: ./nope.mjs\n');
    const r = await run(['validate-config', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('backends[0].type');
    expect((await run(['serve', '--secure-port', 'abc'])).code).toBe(2);
    expect((await run(['serve', '--config', `${dir.path}/missing.yaml`])).code).toBe(2);
  });

  it('prints help with every Kubernetes-named flag', async () => {
    const r = await run(['serve', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--secure-port', '--bind-address', '--cert-dir', '--tls-cert-file', '--tls-private-key-file', '--client-ca-file', '--requestheader-client-ca-file', '--requestheader-allowed-names', '--requestheader-username-headers', '--requestheader-group-headers', '--requestheader-extra-headers-prefix', '--kubeconfig', '--authentication-kubeconfig', '--authorization-kubeconfig', '--authorization-always-allow-paths', '--authentication-tolerate-lookup-failure', '--log-level']) {
      expect(r.out, flag).toContain(flag);
    }
  });
});

describe('flag overrides', () => {
  it('take flags over LOG_LEVEL, and LOG_LEVEL when no flag is given', async () => {
    const { Command } = await import('commander');
    const { addServeFlags, flagOverrides } = await import('./flags.js');
    const parse = (argv: string[]) => addServeFlags(new Command().exitOverride()).parse(argv, { from: 'user' });
    expect(flagOverrides(parse([]), { LOG_LEVEL: 'debug' })).toEqual({ logLevel: 'debug' });
    expect(flagOverrides(parse(['--log-level', 'warn']), { LOG_LEVEL: 'debug' })).toEqual({ logLevel: 'warn' });
    expect(
      flagOverrides(parse(['--secure-port', '8443', '--requestheader-allowed-names', 'front-proxy-client,aggregator', '--authentication-tolerate-lookup-failure', '--request-timeout', '1m30s']), {}),
    ).toEqual({ securePort: 8443, requestheaderAllowedNames: ['front-proxy-client', 'aggregator'], authenticationTolerateLookupFailure: true, requestTimeoutSeconds: 90 });
  });
});
