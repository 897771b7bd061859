import { isAbsolute, resolve } from 'node:path';

/** The `server:` fields that name files or directories. */
export const SERVER_PATH_FIELDS = [
  'certDir',
  'tlsCertFile',
  'tlsPrivateKeyFile',
  'clientCaFile',
  'requestheaderClientCaFile',
  'kubeconfig',
  'authenticationKubeconfig',
  'authorizationKubeconfig',
] as const;

/**
 * resolveServerPaths returns a copy of a parsed (not yet validated) config whose relative
 * `server:` paths are made absolute against `baseDir` (the config file's directory), as backend
 * module paths are. Defaults filled in later and flags (relative to the working directory, as
 * any command-line path) are not touched. Values that are not strings are left for validation.
 */
export function resolveServerPaths(raw: unknown, baseDir: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const server = (raw as Record<string, unknown>).server;
  if (server === null || typeof server !== 'object' || Array.isArray(server)) return raw;
  const out: Record<string, unknown> = { ...(server as Record<string, unknown>) };
  for (const key of SERVER_PATH_FIELDS) {
    const v = out[key];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) out[key] = resolve(baseDir, v);
  }
  return { ...(raw as Record<string, unknown>), server: out };
}
