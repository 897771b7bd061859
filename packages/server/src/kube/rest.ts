import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A kube-apiserver answer: HTTP status and the parsed JSON body (`undefined` when not JSON). */
export interface KubeResponse<T = unknown> {
  readonly status: number;
  readonly body: T | undefined;
}

/** An error talking to kube-apiserver (transport failure or a non-2xx status). */
export class KubeRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 for a transport failure. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'KubeRequestError';
  }
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The agent options that make one TLS identity (client-node copies these from the request options). */
const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'ciphers', 'honorCipherOrder', 'ecdhCurve', 'crl', 'dhparam', 'secureOptions', 'secureProtocol', 'sessionIdContext'];

/**
 * KubeRest sends JSON requests to the kube-apiserver named by a client-node `KubeConfig` (its
 * server URL, TLS material and credentials, via `applyToHTTPSOptions`). Used for discovery,
 * lists, TokenReview and SubjectAccessReview; watches go through client-node's `Watch`.
 */
export class KubeRest {
  /** The keep-alive agent of the current TLS material (see {@link #agentFor}). */
  #agent: { material: string; agent: HttpsAgent } | undefined;

  constructor(
    readonly config: KubeConfig,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * The agent a request is sent with. client-node's `applyToHTTPSOptions` builds a new
   * `https.Agent` for every request, so each SubjectAccessReview or TokenReview would open a TLS
   * connection and build a TLS context (certificate and key parsing, several ms of the main thread);
   * requests whose TLS material is unchanged share one keep-alive agent instead. Proxy agents and
   * plain HTTP are used as client-node built them.
   */
  #agentFor(opts: RequestOptions): void {
    const built = opts.agent;
    if (!(built instanceof HttpsAgent) || built.constructor !== HttpsAgent) return;
    // The options an agent was built with (node keeps them as `agent.options`); without them the
    // material cannot be compared, so the agent client-node built is used.
    const o = (built as unknown as { options?: Record<string, unknown> }).options;
    if (o === undefined || o === null || typeof o !== 'object') return;
    const material = JSON.stringify(TLS_FIELDS.map((f) => (Buffer.isBuffer(o[f]) ? (o[f] as Buffer).toString('base64') : o[f] ?? null)));
    if (this.#agent?.material !== material) {
      this.#agent?.agent.destroy();
      this.#agent = { material, agent: new HttpsAgent({ ...o, keepAlive: true, maxSockets: 8, maxFreeSockets: 2, timeout: this.timeoutMs }) };
    }
    built.destroy();
    opts.agent = this.#agent.agent;
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent?.agent.destroy();
    this.#agent = undefined;
  }

  /** The cluster's server URL (without a trailing slash). */
  get server(): string {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new KubeRequestError('kubeconfig has no current cluster', 0);
    return cluster.server.replace(/\/+$/, '');
  }

  /** Sends `method path` with an optional JSON body and resolves with the status and parsed body. */
  async request<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<KubeResponse<T>> {
    const url = new URL(this.server + path);
    const opts: RequestOptions = { method, headers: { Accept: 'application/json' }, timeout: this.timeoutMs };
    await this.config.applyToHTTPSOptions(opts);
    this.#agentFor(opts);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) {
      opts.headers = { ...opts.headers, 'Content-Type': 'application/json', 'Content-Length': String(payload.length) };
    }
    if (signal) opts.signal = signal;
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    if (url.protocol === 'http:') delete opts.agent;
    return new Promise<KubeResponse<T>>((resolve, reject) => {
      const req = send(url, opts, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy(new KubeRequestError(`${method} ${path}: response too large`, 0));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => reject(new KubeRequestError(`${method} ${path}: ${e.message}`, 0)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: T | undefined;
          try {
            parsed = text ? (JSON.parse(text) as T) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new KubeRequestError(`${method} ${path}: timed out`, 0)));
      req.on('error', (e) => reject(e instanceof KubeRequestError ? e : new KubeRequestError(`${method} ${path}: ${e.message}`, 0)));
      req.end(payload);
    });
  }

  /** Like {@link request} but throws {@link KubeRequestError} unless the status is 2xx. */
  async requestOK<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.request<T>(method, path, body, signal);
    if (res.status < 200 || res.status >= 300 || res.body === undefined) {
      const msg = (res.body as { message?: unknown } | undefined)?.message;
      throw new KubeRequestError(`${method} ${path}: HTTP ${res.status}${typeof msg === 'string' ? `: ${msg}` : ''}`, res.status);
    }
    return res.body;
  }
}
