import { readFileSync, statSync, existsSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import fetch, { type RequestInit, type Response } from 'node-fetch';
import {
  backendFailure,
  boundedChunks,
  checkDeclaredLength,
  DEFAULT_MAX_RESPONSE_BYTES,
  isMetricsError,
  isResponseTooLargeError,
  readBoundedText,
  ResponseTooLargeError,
} from '@custom-metrics/core';
import type { Logger } from '@custom-metrics/core';
import { DEFAULT_SERIES_MAX_RESPONSE_BYTES, type AuthConfig, type TlsConfig } from './config.js';
import { ConfigError, PrometheusApiError } from './errors.js';
import { parseSeriesStream } from './series-stream.js';

/**
 * SeriesTooLargeError is the 503 of a series listing past `discovery.maxResponseBytes` (core's
 * `ResponseTooLargeError`, with a message naming discovery's own limit).
 */
export class SeriesTooLargeError extends ResponseTooLargeError {
  constructor(limitBytes: number) {
    super(limitBytes);
    this.message =
      `the series listing is larger than discovery.maxResponseBytes (${limitBytes} bytes); ` +
      'narrow the rule\'s seriesQuery or raise discovery.maxResponseBytes in this backend\'s config';
  }
}

/** One sample of an instant-query result. `value` may be NaN or ±Inf (the caller filters). */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Sample time in milliseconds since the epoch. */
  readonly timestampMs: number;
}

/**
 * PrometheusClient is the part of the Prometheus HTTP API this backend uses. Implementations
 * throw core `MetricsError`s built by `backendFailure` (core's failure table): 503 when Prometheus is unreachable,
 * times out or fails with 5xx/429, 500 when it rejects the query (a config problem);
 * the backend's own message is logged, never put in the error. A caller's abort rejects with the
 * signal's reason.
 */
export interface PrometheusClient {
  /** Runs an instant query (`/api/v1/query`) and returns its vector or scalar as samples. */
  query(promql: string, signal: AbortSignal): Promise<Sample[]>;
  /**
   * Lists series (`/api/v1/series`) matching any of `matchers` between `start` and `end`,
   * streaming each label set to `onSeries`, with its label-name signature (`labelNamesKey` of
   * its label names) when the client has it at no cost. Returns how many series were read.
   */
  series(
    matchers: readonly string[],
    range: { start: Date; end: Date },
    onSeries: (labels: Record<string, string>, names?: string) => void,
    signal: AbortSignal,
  ): Promise<number>;
  /** Releases sockets. */
  close(): void;
}

/** Options of {@link HttpPrometheusClient}. */
export interface HttpClientOptions {
  url: string;
  method?: 'POST' | 'GET';
  timeoutMs: number;
  /**
   * Largest instant-query answer read, in bytes (default 32 MiB); past it the call fails with
   * core's `ResponseTooLargeError` (503).
   */
  maxResponseBytes?: number;
  /**
   * Largest series listing streamed, in bytes (default 1 GiB, config `discovery.maxResponseBytes`);
   * past it the call fails with a {@link SeriesTooLargeError}.
   */
  seriesMaxResponseBytes?: number;
  /** Deadline of `/api/v1/series` calls (default: the larger of `timeoutMs` and 60 s). */
  seriesTimeoutMs?: number;
  headers?: Record<string, string>;
  auth?: AuthConfig;
  tls?: TlsConfig;
  logger: Logger;
  /** Called after every call with its duration, for self-metrics. */
  observe?: (operation: 'query' | 'series', seconds: number, outcome: 'success' | 'error', query?: string) => void;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A file whose content is re-read when its mtime or size changes. */
class WatchedFile {
  #stamp = '';
  #content = '';
  constructor(readonly path: string) {}
  read(): string {
    const st = statSync(this.path);
    const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (stamp !== this.#stamp) {
      this.#content = readFileSync(this.path, 'utf8').trim();
      this.#stamp = stamp;
    }
    return this.#content;
  }
}

/**
 * HttpPrometheusClient talks to the Prometheus HTTP API with node-fetch over a keep-alive agent:
 * instant queries by POST (or GET), series discovery streamed, bearer-token (inline, file
 * re-read on change, or the in-cluster service-account token) or basic auth, custom headers,
 * CA and client certificates, and a deadline on every call.
 */
export class HttpPrometheusClient implements PrometheusClient {
  readonly #base: string;
  readonly #method: 'POST' | 'GET';
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #seriesMaxBytes: number;
  readonly #seriesTimeoutMs: number;
  readonly #headers: Record<string, string>;
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #logger: Logger;
  readonly #observe: HttpClientOptions['observe'];
  readonly #authorization: () => string | undefined;

  constructor(o: HttpClientOptions) {
    this.#base = o.url.replace(/\/+$/, '');
    this.#method = o.method ?? 'POST';
    this.#timeoutMs = o.timeoutMs;
    this.#maxBytes = o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#seriesMaxBytes = o.seriesMaxResponseBytes ?? DEFAULT_SERIES_MAX_RESPONSE_BYTES;
    this.#seriesTimeoutMs = o.seriesTimeoutMs ?? Math.max(o.timeoutMs, 60_000);
    this.#headers = { ...(o.headers ?? {}) };
    this.#logger = o.logger;
    this.#observe = o.observe;
    const auth = o.auth ?? {};
    const tls = { ...(o.tls ?? {}) };
    if (auth.inClusterServiceAccount && tls.caFile === undefined && existsSync(`${SA_DIR}/ca.crt`)) tls.caFile = `${SA_DIR}/ca.crt`;
    this.#authorization = authorizationFor(auth);
    if (this.#base.startsWith('https:')) {
      this.#agent = new HttpsAgent({
        keepAlive: true,
        maxSockets: 32,
        ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
        ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
        ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
        ...(tls.serverName ? { servername: tls.serverName } : {}),
        rejectUnauthorized: tls.insecureSkipVerify !== true,
      });
    } else {
      this.#agent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
    }
  }

  async query(promql: string, signal: AbortSignal): Promise<Sample[]> {
    const params = new URLSearchParams({ query: promql });
    const body = await this.#call('query', '/api/v1/query', params, this.#method, signal, async (res) => {
      if (res.body === null) throw new PrometheusApiError('empty query response', res.status);
      checkDeclaredLength(res.headers.get('content-length'), this.#maxBytes);
      const text = await readBoundedText(res.body as AsyncIterable<Uint8Array>, this.#maxBytes);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        this.#logger.warn({ operation: 'query', url: this.#base, head: text.slice(0, 200) }, 'prometheus answered something that is not JSON');
        throw backendFailure('malformed', 'the metrics backend sent a malformed answer (not JSON)');
      }
    });
    return samplesOf(body);
  }

  async series(
    matchers: readonly string[],
    range: { start: Date; end: Date },
    onSeries: (labels: Record<string, string>, names?: string) => void,
    signal: AbortSignal,
  ): Promise<number> {
    const params = new URLSearchParams();
    for (const m of matchers) params.append('match[]', m);
    params.set('start', (range.start.getTime() / 1000).toFixed(3));
    params.set('end', (range.end.getTime() / 1000).toFixed(3));
    return this.#call('series', '/api/v1/series', params, 'POST', signal, async (res) => {
      if (res.body === null) throw new PrometheusApiError('empty series response', res.status);
      const limit = this.#seriesMaxBytes;
      try {
        checkDeclaredLength(res.headers.get('content-length'), limit);
        return await parseSeriesStream(boundedChunks(res.body as AsyncIterable<Uint8Array>, limit), onSeries);
      } catch (e) {
        throw isResponseTooLargeError(e) ? new SeriesTooLargeError(limit) : e;
      }
    });
  }

  close(): void {
    this.#agent.destroy();
  }

  async #call<T>(
    operation: 'query' | 'series',
    path: string,
    params: URLSearchParams,
    method: 'POST' | 'GET',
    signal: AbortSignal,
    read: (res: Response) => Promise<T>,
  ): Promise<T> {
    signal.throwIfAborted();
    const started = performance.now();
    const timeoutMs = operation === 'series' ? this.#seriesTimeoutMs : this.#timeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, deadline]);
    const headers: Record<string, string> = { Accept: 'application/json', ...this.#headers };
    try {
      const auth = this.#authorization();
      if (auth !== undefined) headers.Authorization = auth;
      let url = `${this.#base}${path}`;
      const init: RequestInit = { method, headers, agent: this.#agent, signal: combined };
      if (method === 'POST') {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        init.body = params.toString();
      } else url += `?${params.toString()}`;
      let res: Response;
      try {
        res = await fetch(url, init);
      } catch (e) {
        // A kept-alive socket the server closed just as it was reused (its idle timeout racing
        // ours): an instant query is a read, so it is sent once more on a new connection.
        if (operation !== 'query' || combined.aborted || !isConnectionReset(e)) throw e;
        this.#logger.debug({ operation, url: this.#base, detail: (e as Error).message }, 'prometheus connection reset; retrying once');
        res = await fetch(url, init);
      }
      if (res.status !== 200) {
        let errorType: string | undefined;
        let message = `HTTP ${res.status}`;
        try {
          // An error body is small; a huge one (a proxy's page) is read no further than 64 KiB.
          const j = JSON.parse(await readBoundedText(res.body as AsyncIterable<Uint8Array>, Math.min(64 * 1024, this.#maxBytes))) as { errorType?: string; error?: string };
          errorType = j.errorType;
          if (j.error) message += `: ${j.error}`;
        } catch {
          // not JSON (a proxy's error page); keep the status
        }
        throw new PrometheusApiError(message, res.status, errorType);
      }
      const out = await read(res);
      this.#observe?.(operation, (performance.now() - started) / 1000, 'success', queryText(params));
      return out;
    } catch (err) {
      this.#observe?.(operation, (performance.now() - started) / 1000, 'error', queryText(params));
      if (signal.aborted) throw signal.reason;
      if (isResponseTooLargeError(err)) {
        const field = operation === 'series' ? 'discovery.maxResponseBytes' : 'maxResponseBytes';
        this.#logger.warn({ operation, url: this.#base, limitBytes: err.limitBytes }, `prometheus answer exceeds ${field}`);
        throw err;
      }
      if (isMetricsError(err) && !deadline.aborted) throw err;
      throw this.#mapError(operation, err, deadline.aborted, timeoutMs);
    }
  }

  #mapError(operation: string, err: unknown, timedOut: boolean, timeoutMs: number): Error {
    const detail = err instanceof Error ? err.message : String(err);
    if (timedOut) {
      this.#logger.warn({ operation, url: this.#base, timeoutMs }, 'prometheus call timed out');
      return backendFailure('timeout');
    }
    if (err instanceof PrometheusApiError && (err.status === 200 || (err.status >= 400 && err.status < 500 && err.status !== 429 && err.status !== 408))) {
      this.#logger.error({ operation, url: this.#base, status: err.status, errorType: err.errorType, detail }, 'prometheus rejected the request');
      return err.status === 401 || err.status === 403 ? backendFailure('credentials') : backendFailure('rejected');
    }
    this.#logger.warn({ operation, url: this.#base, detail }, 'prometheus call failed');
    return backendFailure(err instanceof PrometheusApiError && err.status === 429 ? 'throttled' : 'unreachable');
  }
}

/** Whether a fetch failed because the connection was reset or closed under it (no answer read). */
function isConnectionReset(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

function authorizationFor(auth: AuthConfig): () => string | undefined {
  if (auth.bearerToken !== undefined) {
    const v = `Bearer ${auth.bearerToken}`;
    return () => v;
  }
  const tokenFile = auth.bearerTokenFile ?? (auth.inClusterServiceAccount ? `${SA_DIR}/token` : undefined);
  if (tokenFile !== undefined) {
    const f = new WatchedFile(tokenFile);
    // An explicit token file is read now, so a missing one fails the config (serve and
    // validate-config alike) instead of the first query; the service-account token stays lazy.
    if (auth.bearerTokenFile !== undefined) readNow(f, 'auth.bearerTokenFile');
    return () => `Bearer ${f.read()}`;
  }
  if (auth.basic !== undefined) {
    const { username, password, passwordFile } = auth.basic;
    const f = passwordFile !== undefined ? new WatchedFile(passwordFile) : undefined;
    if (f) readNow(f, 'auth.basic.passwordFile');
    return () => `Basic ${Buffer.from(`${username}:${f ? f.read() : (password ?? '')}`).toString('base64')}`;
  }
  return () => undefined;
}

function readNow(f: WatchedFile, path: string): void {
  try {
    f.read();
  } catch (e) {
    throw new ConfigError(path, `cannot read ${f.path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Parses a sample value as Prometheus writes it (`"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`). */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  return text.trim() === '' ? NaN : n;
}

function samplesOf(body: unknown): Sample[] {
  const b = body as { status?: string; data?: { resultType?: string; result?: unknown } };
  if (b?.status !== 'success' || b.data === undefined) throw new PrometheusApiError('query response is not a success', 200);
  const { resultType, result } = b.data;
  if (resultType === 'scalar' && Array.isArray(result)) {
    return [{ labels: {}, value: parseSampleValue(String(result[1])), timestampMs: Math.round(Number(result[0]) * 1000) }];
  }
  if (resultType !== 'vector' || !Array.isArray(result)) {
    throw new PrometheusApiError(`query returned a ${String(resultType)}, expected a vector or scalar`, 200);
  }
  return result.map((r: { metric?: Record<string, string>; value?: [number, string] }) => ({
    labels: r.metric ?? {},
    value: parseSampleValue(String(r.value?.[1])),
    timestampMs: Math.round(Number(r.value?.[0]) * 1000),
  }));
}

/** The query text of a request, for the debug page: the PromQL of /query, the matchers of /series. */
function queryText(params: URLSearchParams): string {
  return params.get('query') ?? params.getAll('match[]').join(' ');
}
