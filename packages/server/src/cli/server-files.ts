import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { parsePemBundle } from '../auth/x509-verify.js';
import { ConfigError, type ConfigProblem } from '../config/config-error.js';
import type { ServerConfig } from '../config/types.js';

const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a parent of it is not a directory',
};

/** Reads a file named by `path` (a field), or records a problem such as `server.clientCaFile: /x/ca.crt: no such file`. */
function readNamed(problems: ConfigProblem[], path: string, file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    problems.push({ path, expected: `${file}: ${WHY[code] ?? `cannot be read (${code || (e as Error).message})`}` });
    return undefined;
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

/**
 * Without a serving certificate, serve keeps a self-signed one in `certDir` (creating it): the
 * directory, or its nearest existing parent, must be a directory serve can write to. Nothing is
 * created here.
 */
function checkCertDir(problems: ConfigProblem[], certDir: string): void {
  let at = certDir;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(at) !== at) {
        at = dirname(at);
        continue;
      }
      problems.push({ path: 'server.certDir', expected: `${certDir}: ${WHY[code ?? ''] ?? `cannot be used (${code})`}` });
      return;
    }
    if (!isDir) {
      problems.push({ path: 'server.certDir', expected: `${certDir}: ${at === certDir ? 'is a file, not a directory' : `${at} is a file, not a directory`}` });
      return;
    }
    try {
      accessSync(at, constants.W_OK | constants.X_OK);
    } catch {
      problems.push({ path: 'server.certDir', expected: `${certDir}: ${at} is not writable (the self-signed serving certificate is kept there; or give server.tlsCertFile)` });
    }
    return;
  }
}

/**
 * checkServerFiles reads every file the `server:` section (config file and flags) names and
 * checks it is usable, as `serve` would use it: the serving certificate and key (PEM, a matching
 * pair) or else a usable `certDir`, the client and front-proxy CA bundles (PEM certificates) and the kubeconfigs (loadable).
 * It opens no connection. `serve` runs it before anything else, and `validate-config` runs it too,
 * so both reject a bad file with the same message.
 * @throws {ConfigError} naming each bad field and file, e.g. `server.clientCaFile: /x/ca.crt: no such file`.
 */
export function checkServerFiles(config: ServerConfig, source: string): void {
  const s = config.server;
  const problems: ConfigProblem[] = [];
  if (s.tlsCertFile !== undefined && s.tlsPrivateKeyFile !== undefined) {
    const cert = readNamed(problems, 'server.tlsCertFile', s.tlsCertFile);
    const key = readNamed(problems, 'server.tlsPrivateKeyFile', s.tlsPrivateKeyFile);
    let certOk = false;
    let keyOk = false;
    if (cert !== undefined) {
      try {
        parsePemBundle(cert);
        certOk = true;
      } catch (e) {
        problems.push({ path: 'server.tlsCertFile', expected: `${s.tlsCertFile}: not a PEM certificate (${firstLine(e)})` });
      }
    }
    if (key !== undefined) {
      try {
        createPrivateKey(key);
        keyOk = true;
      } catch (e) {
        problems.push({ path: 'server.tlsPrivateKeyFile', expected: `${s.tlsPrivateKeyFile}: not a PEM private key (${firstLine(e)})` });
      }
    }
    if (certOk && keyOk) {
      try {
        createSecureContext({ cert, key });
      } catch (e) {
        problems.push({ path: 'server.tlsPrivateKeyFile', expected: `${s.tlsPrivateKeyFile}: does not match the certificate in ${s.tlsCertFile} (${firstLine(e)})` });
      }
    }
  }
  if (s.tlsCertFile === undefined && s.tlsPrivateKeyFile === undefined) checkCertDir(problems, s.certDir);
  for (const [field, file] of [
    ['clientCaFile', s.clientCaFile],
    ['requestheaderClientCaFile', s.requestheaderClientCaFile],
  ] as const) {
    if (file === undefined) continue;
    const text = readNamed(problems, `server.${field}`, file);
    if (text === undefined) continue;
    try {
      parsePemBundle(text);
    } catch (e) {
      problems.push({ path: `server.${field}`, expected: `${file}: not a PEM CA bundle (${firstLine(e)})` });
    }
  }
  for (const [field, file] of [
    ['kubeconfig', s.kubeconfig],
    ['authenticationKubeconfig', s.authenticationKubeconfig],
    ['authorizationKubeconfig', s.authorizationKubeconfig],
  ] as const) {
    if (file === undefined) continue;
    if (readNamed(problems, `server.${field}`, file) === undefined) continue;
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(file);
      if (!kc.getCurrentCluster()) throw new Error('no current cluster (set current-context)');
    } catch (e) {
      problems.push({ path: `server.${field}`, expected: `${file}: not a usable kubeconfig (${firstLine(e)})` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
}
