import http from 'node:http';
import https from 'node:https';

/** Why a scrape failed; used as the error counter's suffix. */
export type ScrapeFailure = 'timeout' | 'too_large' | 'http_status' | 'connection' | 'parse' | 'aborted';

/** A failed fetch or parse of a target. */
export class ScrapeError extends Error {
  override readonly name = 'ScrapeError';
  constructor(
    readonly kind: ScrapeFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The body and content type of a successful scrape. */
export interface FetchedMetrics {
  readonly body: string;
  readonly contentType?: string;
}

/** Options of {@link fetchMetrics}. */
export interface FetchOptions {
  timeoutMs: number;
  /** The body read is aborted past this many bytes. */
  maxBytes: number;
  signal?: AbortSignal;
  /** https: accept any server certificate (pods usually serve self-signed ones). Default false. */
  insecureSkipVerify?: boolean;
}

const ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/**
 * fetchMetrics GETs a metrics endpoint with a deadline covering connect, headers and body, and
 * aborts the read as soon as the body passes `maxBytes`. Rejects with a {@link ScrapeError}.
 */
export function fetchMetrics(url: string, options: FetchOptions): Promise<FetchedMetrics> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (err: ScrapeError | undefined, value?: FetchedMetrics) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value as FetchedMetrics);
    };
    const onAbort = () => finish(new ScrapeError('aborted', 'scrape aborted'));
    const timer = setTimeout(() => finish(new ScrapeError('timeout', `no complete response within ${options.timeoutMs} ms`)), options.timeoutMs);
    const req = mod.get(u, {
        headers: { accept: ACCEPT, 'accept-encoding': 'identity', 'user-agent': 'custom-metrics-server-scrape' },
        agent: false,
        ...(u.protocol === 'https:' ? { rejectUnauthorized: !options.insecureSkipVerify } : {}),
      }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        res.resume();
        return finish(new ScrapeError('http_status', `HTTP ${status}`));
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        return finish(new ScrapeError('too_large', `response of ${declared} bytes exceeds the limit of ${options.maxBytes}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > options.maxBytes) return finish(new ScrapeError('too_large', `response exceeds the limit of ${options.maxBytes} bytes`));
        chunks.push(c);
      });
      res.on('end', () => finish(undefined, { body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] }));
      res.on('error', (e) => finish(new ScrapeError('connection', e.message)));
    });
    req.on('error', (e) => finish(new ScrapeError('connection', e.message)));
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
