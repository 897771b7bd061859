// The debug listener (`--debug-address`, loopback only): the debug page and its JSON endpoints.
// Plain HTTP on its own port, never the API listener; nothing secret is served.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerContainer } from '../container.js';
import type { ServerConfig } from '../config/types.js';
import { explainFromDebug, MAX_MANIFEST_BYTES, type ExplainCluster } from './explain-endpoint.js';
import { debugPage } from './page.js';
import { backendsSnapshot, configSnapshot, metricsSnapshot, valuesSnapshot } from './snapshot.js';

/** What the debug listener reads besides the container and the config. */
export interface DebugServerOptions {
  /** Cluster mode: the server's kubeconfig and its informers (for /debug/explain). */
  readonly cluster?: ExplainCluster;
  /** Values to redact wherever they appear (e.g. read from secret files). */
  readonly secrets?: ReadonlySet<string>;
}

/** A running debug listener. */
export interface DebugServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** An invalid `--debug-address`: the message says what is accepted. */
export class DebugAddressError extends Error {
  override readonly name = 'DebugAddressError';
}

/**
 * parseDebugAddress reads `HOST:PORT` (`127.0.0.1:6060`, `[::1]:6060`, `localhost:0`); the host
 * must be loopback (the page is unauthenticated).
 * @throws {DebugAddressError} for another form or a non-loopback host.
 */
export function parseDebugAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address.trim());
  if (!m) throw new DebugAddressError(`--debug-address ${JSON.stringify(address)}: expected HOST:PORT, e.g. 127.0.0.1:6060 (empty disables it)`);
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (port > 65535) throw new DebugAddressError(`--debug-address ${JSON.stringify(address)}: port must be at most 65535`);
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) {
    throw new DebugAddressError(`--debug-address ${JSON.stringify(address)}: the debug page is unauthenticated, so it listens on loopback only (127.0.0.1, ::1 or localhost); reach it with kubectl port-forward`);
  }
  return { host, port };
}

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const json = (res: ServerResponse, code: number, obj: unknown) => send(res, code, 'application/json', `${JSON.stringify(obj, null, 2)}\n`);

/**
 * startDebugServer serves the debug page on `address` (loopback): `/debug/` (HTML),
 * `/debug/backends`, `/debug/metrics`, `/debug/values`, `/debug/config` (JSON, secrets
 * redacted), `/debug/explain` (GET: every HPA of the cluster, from its informers; POST a
 * manifest: that one).
 */
export async function startDebugServer(address: string, sc: ServerContainer, config: ServerConfig, options: DebugServerOptions = {}): Promise<DebugServer> {
  const { host, port } = parseDebugAddress(address);
  const { cluster, secrets } = options;
  const page = debugPage({ cluster: cluster !== undefined });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://debug').pathname;
    if (path === '/debug/explain' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > MAX_MANIFEST_BYTES) return json(res, 413, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 413, reason: 'RequestEntityTooLarge', message: `post at most ${MAX_MANIFEST_BYTES} bytes of HPA manifests` });
        chunks.push(c);
      }
      const answer = await explainFromDebug(cluster, Buffer.concat(chunks).toString('utf8'));
      return json(res, answer.status, answer.body);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 405, reason: 'MethodNotAllowed', message: 'the debug endpoints answer GET (and POST on /debug/explain) only' });
    switch (path) {
      case '/':
      case '/debug':
      case '/debug/':
        return send(res, 200, 'text/html; charset=utf-8', page);
      case '/debug/backends':
        return json(res, 200, { backends: await backendsSnapshot(sc) });
      case '/debug/metrics':
        return json(res, 200, { metrics: metricsSnapshot(sc) });
      case '/debug/values':
        return json(res, 200, { values: valuesSnapshot(sc) });
      case '/debug/explain': {
        const answer = await explainFromDebug(cluster, undefined);
        return json(res, answer.status, answer.body);
      }
      case '/debug/config':
        return json(res, 200, { config: configSnapshot(config, secrets) });
      default:
        return json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: `no debug endpoint ${path}: try /debug/, /debug/backends, /debug/metrics, /debug/values, /debug/explain or /debug/config` });
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: `debug endpoint failed: ${(e as Error).message}` });
      else res.destroy();
    });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
