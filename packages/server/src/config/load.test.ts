import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/index.js';
import { loadConfigFile } from './load.js';

const dir = tempDir('config-load');
afterAll(() => dir.remove());

describe('loadConfigFile', () => {
  it('resolves relative server paths against the config file, not the working directory', async () => {
    const conf = join(dir.path, 'etc');
    mkdirSync(conf);
    const file = join(conf, 'config.yaml');
    writeFileSync(
      file,
      ['server:', '  tlsCertFile: tls/serving.crt', '  tlsPrivateKeyFile: ./tls/serving.key', '  clientCaFile: ../ca/client-ca.crt', '  requestheaderClientCaFile: /abs/front-proxy-ca.crt', '  kubeconfig: kube/config', '  certDir: certs', ''].join('\n'),
    );
    // Loaded through a relative path from elsewhere: the base is still the file's directory.
    const c = await loadConfigFile(relative(process.cwd(), file));
    expect(c.server).toMatchObject({
      tlsCertFile: join(conf, 'tls/serving.crt'),
      tlsPrivateKeyFile: join(conf, 'tls/serving.key'),
      clientCaFile: join(dir.path, 'ca/client-ca.crt'),
      requestheaderClientCaFile: '/abs/front-proxy-ca.crt',
      kubeconfig: join(conf, 'kube/config'),
      certDir: join(conf, 'certs'),
    });
  });

  it('leaves defaults alone (the default certDir stays relative to the working directory)', async () => {
    const file = join(dir.path, 'empty.yaml');
    writeFileSync(file, 'backends: []\n');
    expect((await loadConfigFile(file)).server.certDir).toBe((await loadConfigFile(undefined)).server.certDir);
  });

  it('reports an unreadable file as a config error naming it', async () => {
    await expect(loadConfigFile(join(dir.path, 'missing.yaml'))).rejects.toThrow(`${join(dir.path, 'missing.yaml')}: (root): a readable file (ENOENT)`);
  });
});
