/**
 * The one module that talks to Datadog, through `@datadog/datadog-api-client`'s v2 MetricsApi
 * (`POST /api/v2/query/timeseries`). Several queries go in one call (each named `q<i>` with a formula
 * `q<i>`, so each response series' `query_index` is the query's position). Calls are serialised,
 * which keeps the response headers (rate limits) attached to the call that produced them.
 * The library's own retry is off: retries, backoff and rate-limit pauses are the refresher's.
 */
import { client, logger as clientLogger, v2 } from '@datadog/datadog-api-client';
import { checkDeclaredLength, DEFAULT_MAX_RESPONSE_BYTES, isResponseTooLargeError, readBounded } from '@custom-metrics/core';
import type { DatadogSite } from '../config.js';
import type { Redactor } from '../credentials.js';
import { isRetryableStatus } from './backoff.js';
import { parseRateLimit } from './rate-limit.js';
import type { RateLimitInfo } from './rate-limit.js';

/** The last valid point of one series. */
export interface SeriesPoint {
  readonly value: number;
  readonly timestamp: Date;
}

/**
 * One series of a query's answer: its group tags (`key:value`), its valid (non-null, finite)
 * points oldest first, and the last of them. Which point is served is the providers' choice
 * (`lastPointOffset`, see `refresh/points.ts`).
 */
export interface SeriesValue {
  readonly tags: readonly string[];
  /** The last valid point (`points[points.length - 1]`). */
  readonly point: SeriesPoint;
  /** Every valid point of the window, oldest first (never empty). */
  readonly points: readonly SeriesPoint[];
}

/** The answer to a batch: one array of series per query, in query order. */
export interface BatchResult {
  readonly results: SeriesValue[][];
  readonly rateLimit: RateLimitInfo;
  /** Points skipped because they were null or not finite. */
  readonly skippedPoints: number;
}

/** An HTTP or transport failure; `message` never contains keys. */
export class DatadogApiError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 for network errors and timeouts. */
    readonly status: number,
    readonly rateLimit: RateLimitInfo,
    readonly retryable: boolean,
    /** Set when the answer was larger than `maxResponseBytes` (this limit, in bytes). */
    readonly tooLargeLimit?: number,
  ) {
    super(message);
    this.name = 'DatadogApiError';
  }
}

/** What the refresher needs from Datadog. */
export interface TimeseriesClient {
  /** queryBatch runs `queries` over [fromMs, toMs) in one call. Throws DatadogApiError. */
  queryBatch(queries: readonly string[], fromMs: number, toMs: number, signal: AbortSignal): Promise<BatchResult>;
}

/** Client settings. */
export interface TimeseriesClientOptions {
  readonly site: DatadogSite;
  readonly baseUrl?: string;
  /** The API key, or a function giving the current one (read before every call). */
  readonly apiKey: string | (() => string);
  /** The application key, or a function giving the current one (read before every call). */
  readonly appKey: string | (() => string);
  readonly redact: Redactor;
  /** A fetch implementation (default: the global fetch). */
  readonly fetch?: typeof fetch;
  /** Largest answer read, in bytes (default 32 MiB). */
  readonly maxResponseBytes?: number;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * boundedFetch wraps `inner` so that no answer is read past `limitBytes`: the body is read (up to
 * the limit) before the Datadog library sees it, and a larger one (or a larger declared
 * `Content-Length`) rejects with core's `ResponseTooLargeError`, the connection dropped.
 */
export function boundedFetch(inner: typeof fetch, limitBytes: number): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    try {
      checkDeclaredLength(res.headers.get('content-length'), limitBytes);
    } catch (e) {
      await res.body?.cancel().catch(() => undefined);
      throw e;
    }
    const bytes = res.body === null ? null : await readBounded(res.body as unknown as AsyncIterable<Uint8Array>, limitBytes);
    return new Response(NULL_BODY_STATUSES.has(res.status) ? null : bytes, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * An HttpLibrary that delegates to the client's own fetch library and records each response's
 * headers and applies the current call's AbortSignal.
 */
class RecordingHttpLibrary implements client.HttpLibrary {
  enableRetry = false;
  debug = false;
  lastHeaders: Record<string, string> = {};
  signal: AbortSignal | undefined;
  private readonly inner: client.IsomorphicFetchHttpLibrary;

  constructor(
    fetchImpl: typeof fetch,
    private readonly keys: () => { apiKey: string; appKey: string },
  ) {
    this.inner = new client.IsomorphicFetchHttpLibrary();
    this.inner.enableRetry = false;
    this.inner.debug = false;
    this.inner.fetch = fetchImpl;
  }

  async send(request: client.RequestContext): Promise<client.ResponseContext> {
    // The current keys (a rotated key file takes effect on the next call).
    const { apiKey, appKey } = this.keys();
    request.setHeaderParam('DD-API-KEY', apiKey);
    request.setHeaderParam('DD-APPLICATION-KEY', appKey);
    if (this.signal) request.setHttpConfig({ ...request.getHttpConfig(), compress: false, signal: this.signal as never });
    this.lastHeaders = {};
    const response = await this.inner.send(request);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers)) headers[k.toLowerCase()] = v;
    this.lastHeaders = headers;
    return response;
  }
}

function errorMessages(body: unknown): string {
  if (body && typeof body === 'object' && Array.isArray((body as { errors?: unknown }).errors)) {
    return (body as { errors: unknown[] }).errors.map(String).join('; ');
  }
  return typeof body === 'string' ? body.slice(0, 500) : '';
}

/** createTimeseriesClient builds the client on `@datadog/datadog-api-client`. */
export function createTimeseriesClient(opts: TimeseriesClientOptions): TimeseriesClient {
  // The library logs transport errors to the console itself; this backend logs every failure
  // (redacted) through the server's structured logger instead, so the library is kept quiet.
  clientLogger.setLevel(clientLogger.levels.SILENT);
  const key = (k: string | (() => string)) => (typeof k === 'function' ? k() : k);
  const keys = () => ({ apiKey: key(opts.apiKey), appKey: key(opts.appKey) });
  const limit = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const http = new RecordingHttpLibrary(boundedFetch(opts.fetch ?? globalThis.fetch, limit), keys);
  const configuration = client.createConfiguration({
    authMethods: { apiKeyAuth: key(opts.apiKey), appKeyAuth: key(opts.appKey) },
    httpApi: http,
    enableRetry: false,
    debug: false,
    ...(opts.baseUrl !== undefined ? { baseServer: new client.BaseServerConfiguration(opts.baseUrl.replace(/\/+$/, ''), {}) } : {}),
  });
  if (opts.baseUrl === undefined) configuration.setServerVariables({ site: opts.site });
  const api = new v2.MetricsApi(configuration);
  let tail: Promise<unknown> = Promise.resolve();

  async function call(queries: readonly string[], fromMs: number, toMs: number, signal: AbortSignal): Promise<BatchResult> {
    const body: v2.TimeseriesFormulaQueryRequest = {
      data: {
        type: 'timeseries_request',
        attributes: {
          from: Math.floor(fromMs),
          to: Math.floor(toMs),
          queries: queries.map((query, i) => ({ dataSource: 'metrics', name: `q${i}`, query })),
          formulas: queries.map((_, i) => ({ formula: `q${i}` })),
        },
      },
    };
    http.signal = signal;
    let response: v2.TimeseriesFormulaQueryResponse;
    try {
      response = await api.queryTimeseriesData({ body });
    } catch (e) {
      const rateLimit = parseRateLimit(http.lastHeaders);
      if (e instanceof client.ApiException) {
        const status = (e as client.ApiException<unknown>).code;
        const detail = opts.redact(errorMessages((e as client.ApiException<unknown>).body));
        return Promise.reject(new DatadogApiError(`Datadog answered ${status}${detail ? `: ${detail}` : ''}`, status, rateLimit, isRetryableStatus(status)));
      }
      if (isResponseTooLargeError(e)) {
        return Promise.reject(new DatadogApiError(`Datadog's answer is larger than maxResponseBytes (${limit} bytes)`, 0, rateLimit, false, limit));
      }
      const aborted = signal.aborted;
      const msg = opts.redact(e instanceof Error ? e.message : String(e));
      return Promise.reject(new DatadogApiError(aborted ? 'Datadog call timed out or was cancelled' : `Datadog call failed: ${msg}`, 0, rateLimit, true));
    } finally {
      http.signal = undefined;
    }
    const rateLimit = parseRateLimit(http.lastHeaders);
    const attrs = response.data?.attributes;
    if (!attrs) {
      const detail = response.errors ? opts.redact(String(response.errors)) : 'no data';
      throw new DatadogApiError(`Datadog returned no timeseries data: ${detail}`, 200, rateLimit, false);
    }
    const results: SeriesValue[][] = queries.map(() => []);
    const times = attrs.times ?? [];
    let skipped = 0;
    (attrs.series ?? []).forEach((s, i) => {
      const qi = s.queryIndex ?? 0;
      const values = attrs.values?.[i] ?? [];
      const points: SeriesPoint[] = [];
      let trailing = 0;
      for (let j = 0; j < values.length; j++) {
        const v = values[j] as number | null;
        if (typeof v === 'number' && Number.isFinite(v) && Number.isFinite(times[j])) {
          points.push({ value: v, timestamp: new Date(times[j]) });
          trailing = 0;
        } else {
          trailing++;
        }
      }
      // Null buckets after the last valid point (late or missing data) are the ones counted as skipped.
      skipped += trailing;
      if (points.length > 0 && qi >= 0 && qi < results.length) results[qi].push({ tags: s.groupTags ?? [], point: points[points.length - 1], points });
    });
    return { results, rateLimit, skippedPoints: skipped };
  }

  return {
    queryBatch(queries, fromMs, toMs, signal) {
      const run = tail.then(() => call(queries, fromMs, toMs, signal));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
