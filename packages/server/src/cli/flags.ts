import { InvalidArgumentError, type Command } from 'commander';
import type { ServerOptions } from '../config/types.js';
import { parseDebugAddress } from '../debug/debug-server.js';

/** One command-line flag and the `server.<key>` config field it overrides. */
interface FlagSpec {
  readonly flag: string;
  readonly key: keyof ServerOptions;
  readonly help: string;
  readonly parse?: (value: string) => unknown;
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const integer = (min: number, max: number) => (v: string): number => {
  if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`expected an integer between ${min} and ${max}`);
  const n = Number(v);
  if (n < min || n > max) throw new InvalidArgumentError(`expected an integer between ${min} and ${max}`);
  return n;
};

const bool = (v: string | boolean): boolean => {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidArgumentError('expected true or false');
};

/** Seconds, as a number (`10`, `2.5`) or a Go duration (`10s`, `1m30s`, `500ms`). */
export function parseSeconds(v: string): number {
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(t)) !== null) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : m[2] === 's' ? n : m[2] === 'm' ? n * 60 : n * 3600;
    consumed = re.lastIndex;
  }
  if (consumed !== t.length || t === '') throw new InvalidArgumentError('expected seconds or a duration such as 10s, 1m30s');
  return total;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Every serving flag, named as Kubernetes' own. Defaults live in the config schema (flags win over the config file). */
export const SERVE_FLAGS: readonly FlagSpec[] = [
  { flag: '--secure-port <port>', key: 'securePort', help: 'HTTPS port (default 6443; 0 picks a free port)', parse: integer(0, 65535) },
  { flag: '--bind-address <ip>', key: 'bindAddress', help: 'address to listen on (default 0.0.0.0)' },
  { flag: '--cert-dir <dir>', key: 'certDir', help: 'directory of the self-signed certificate when no --tls-cert-file is given (default apiserver.local.config/certificates)' },
  { flag: '--tls-cert-file <file>', key: 'tlsCertFile', help: 'serving certificate (PEM); reloaded when the file changes' },
  { flag: '--tls-private-key-file <file>', key: 'tlsPrivateKeyFile', help: 'serving private key (PEM)' },
  { flag: '--tls-san-names <names>', key: 'tlsSanNames', help: 'comma-separated extra DNS names for the self-signed certificate (e.g. my-svc.my-ns.svc)', parse: list },
  { flag: '--client-ca-file <file>', key: 'clientCaFile', help: 'CA bundle verifying client certificates (default: from the extension-apiserver-authentication ConfigMap)' },
  { flag: '--requestheader-client-ca-file <file>', key: 'requestheaderClientCaFile', help: 'CA bundle verifying the front proxy (aggregator) client certificate' },
  { flag: '--requestheader-allowed-names <names>', key: 'requestheaderAllowedNames', help: 'comma-separated CNs allowed for the front proxy certificate (empty: any)', parse: list },
  { flag: '--requestheader-username-headers <headers>', key: 'requestheaderUsernameHeaders', help: 'comma-separated user name headers (default X-Remote-User)', parse: list },
  { flag: '--requestheader-group-headers <headers>', key: 'requestheaderGroupHeaders', help: 'comma-separated group headers (default X-Remote-Group)', parse: list },
  { flag: '--requestheader-extra-headers-prefix <prefixes>', key: 'requestheaderExtraHeadersPrefix', help: 'comma-separated extra-header prefixes (default X-Remote-Extra-)', parse: list },
  { flag: '--kubeconfig <file>', key: 'kubeconfig', help: 'kubeconfig of the cluster (default: $KUBECONFIG, else in-cluster, else ~/.kube/config, else standalone)' },
  { flag: '--authentication-kubeconfig <file>', key: 'authenticationKubeconfig', help: 'kubeconfig for TokenReview and the authentication ConfigMap (default: the main cluster)' },
  { flag: '--authorization-kubeconfig <file>', key: 'authorizationKubeconfig', help: 'kubeconfig for SubjectAccessReview (default: the main cluster)' },
  { flag: '--authorization-always-allow-paths <paths>', key: 'authorizationAlwaysAllowPaths', help: 'comma-separated paths served without authorization (default /healthz,/readyz,/livez)', parse: list },
  { flag: '--authentication-tolerate-lookup-failure [bool]', key: 'authenticationTolerateLookupFailure', help: 'start even if the authentication ConfigMap cannot be read (default false)', parse: bool },
  { flag: '--log-level <level>', key: 'logLevel', help: `log level: ${LOG_LEVELS.join(', ')} (default info, or LOG_LEVEL)`, parse: (v) => {
    if (!LOG_LEVELS.includes(v)) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}`);
    return v;
  } },
  { flag: '--standalone [bool]', key: 'standalone', help: 'run without a cluster: objects from the config (default: only when no cluster is found)', parse: bool },
  { flag: '--request-timeout <duration>', key: 'requestTimeoutSeconds', help: 'per-request deadline, seconds or a duration (default 10s)', parse: parseSeconds },
  { flag: '--max-requests-inflight <n>', key: 'maxRequestsInflight', help: 'requests served at once; beyond it 429 (default 400)', parse: integer(1, 1_000_000) },
  { flag: '--shutdown-timeout <duration>', key: 'shutdownTimeoutSeconds', help: 'bound on draining in-flight requests at shutdown (default 30s)', parse: parseSeconds },
  { flag: '--shutdown-delay-duration <duration>', key: 'shutdownDelaySeconds', help: 'at shutdown, time between failing /readyz and closing the listener; requests are still served meanwhile (default 0s)', parse: parseSeconds },
  { flag: '--idle-connection-timeout <duration>', key: 'idleConnectionTimeoutSeconds', help: 'close an HTTP/1.1 connection or HTTP/2 session (GOAWAY) with no request in flight for this long (default 90s)', parse: parseSeconds },
  { flag: '--first-request-timeout <duration>', key: 'firstRequestTimeoutSeconds', help: 'close a new connection that has not finished its TLS handshake and sent a first request within this (default 10s)', parse: parseSeconds },
  { flag: '--max-connections <n>', key: 'maxConnections', help: 'open connections beyond which new ones are closed at once (default 4096)', parse: integer(1, 1_000_000) },
  { flag: '--max-unauthenticated-connections <n>', key: 'maxUnauthenticatedConnections', help: 'connections that have not sent a first request yet beyond which new ones are closed at once (default 1024)', parse: integer(1, 1_000_000) },
  { flag: '--debug-address <host:port>', key: 'debugAddress', help: 'loopback HOST:PORT of the debug page (/debug/); empty disables it (default 127.0.0.1:6060)', parse: (v) => {
    if (v === '') return v;
    try {
      parseDebugAddress(v);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
    return v;
  } },
];

/** Adds {@link SERVE_FLAGS} (and `--config`) to a command. */
export function addServeFlags(cmd: Command): Command {
  cmd.option('--config <file>', 'YAML configuration file (see README)');
  for (const f of SERVE_FLAGS) {
    if (f.parse) cmd.option(f.flag, f.help, f.parse as (v: string, prev: unknown) => unknown);
    else cmd.option(f.flag, f.help);
  }
  return cmd;
}

/** The `server:` overrides given on the command line (and `LOG_LEVEL`), keyed by config field. */
export function flagOverrides(cmd: Command, env: NodeJS.ProcessEnv = process.env): Partial<ServerOptions> {
  const opts = cmd.opts<Record<string, unknown>>();
  const out: Record<string, unknown> = {};
  for (const f of SERVE_FLAGS) {
    const attr = f.flag.replace(/^--/, '').split(' ')[0].replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (opts[attr] !== undefined) out[f.key] = f.parse && opts[attr] === true ? true : opts[attr];
  }
  if (out.logLevel === undefined && env.LOG_LEVEL && LOG_LEVELS.includes(env.LOG_LEVEL)) out.logLevel = env.LOG_LEVEL;
  return out as Partial<ServerOptions>;
}
