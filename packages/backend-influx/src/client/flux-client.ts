// Flux through @influxdata/influxdb-client's QueryApi (POST /api/v2/query, annotated CSV).
import { HttpError, InfluxDB, RequestTimedOutError } from '@influxdata/influxdb-client';
import type { QueryApi } from '@influxdata/influxdb-client';
import { DEFAULT_MAX_RESPONSE_BYTES, isMetricsError, ResponseTooLargeError } from '@custom-metrics/core';
import { InfluxQueryError, isInfluxQueryError } from '../errors.js';
import { withDeadline } from './deadline.js';
import type { InfluxQueryClient, InfluxRow } from './types.js';

/** Connection settings of {@link FluxClient}. */
export interface FluxClientOptions {
  url: string;
  /** The API token, or a function returning the current one (a file re-read on change). */
  token: string | (() => string);
  org: string;
  timeoutMs: number;
  /**
   * Largest answer read, in bytes (default 32 MiB), counted over the CSV rows as they stream in;
   * past it the query is cancelled and fails with core's `ResponseTooLargeError` (503).
   */
  maxResponseBytes?: number;
}

const SYSTEM_COLUMNS = new Set(['result', 'table']);

/** Runs Flux scripts and flattens the annotated-CSV tables into rows. */
export class FluxClient implements InfluxQueryClient {
  readonly #options: FluxClientOptions;
  readonly #timeoutMs: number;
  #api: { token: string; api: QueryApi } | undefined;
  readonly #maxBytes: number;

  constructor(options: FluxClientOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs;
    this.#maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#queryApi();
  }

  /** The QueryApi for the current token (rebuilt when a token file changed). */
  #queryApi(): QueryApi {
    const o = this.#options;
    const token = typeof o.token === 'function' ? o.token() : o.token;
    if (this.#api?.token !== token) {
      this.#api = { token, api: new InfluxDB({ url: o.url, token, timeout: o.timeoutMs }).getQueryApi({ org: o.org, gzip: false }) };
    }
    return this.#api.api;
  }

  async query(text: string, options: { valueColumn?: string; signal: AbortSignal }): Promise<InfluxRow[]> {
    options.signal.throwIfAborted();
    const valueColumn = options.valueColumn ?? '_value';
    const deadline = withDeadline(options.signal, this.#timeoutMs);
    const api = this.#queryApi();
    try {
      return await new Promise<InfluxRow[]>((resolve, reject) => {
        const rows: InfluxRow[] = [];
        const limit = this.#maxBytes;
        let bytes = 0;
        let stopped = false;
        let cancel: (() => void) | undefined;
        // Reject before cancelling: the client reports a cancelled query as complete.
        const onAbort = () => {
          reject(deadline.signal.reason);
          cancel?.();
        };
        deadline.signal.addEventListener('abort', onAbort, { once: true });
        const done = () => deadline.signal.removeEventListener('abort', onAbort);
        api.queryRows(text, {
          next(values, meta) {
            if (stopped) return;
            // The CSV line's size: its cells, their separators and the line end.
            for (const v of values) bytes += Buffer.byteLength(v) + 1;
            if (bytes > limit) {
              stopped = true;
              done();
              reject(new ResponseTooLargeError(limit));
              cancel?.();
              return;
            }
            const o = meta.toObject(values) as Record<string, unknown>;
            if (isErrorTable(meta.columns.map((c) => c.label))) {
              // Flux reports a failure during execution as an `error`/`reference` table inside a
              // 200 answer, alone or after partial results: the whole answer is a backend error.
              stopped = true; // ignore whatever follows
              done();
              const ref = String(o.reference ?? '');
              reject(new InfluxQueryError('unavailable', `Flux /api/v2/query: error table in a 200 answer: ${String(o.error ?? '').slice(0, 500)}${ref ? ` (reference ${ref.slice(0, 50)})` : ''}`));
              cancel?.();
              return;
            }
            const labels: Record<string, string> = {};
            for (const [k, v] of Object.entries(o)) {
              if (k.startsWith('_') || SYSTEM_COLUMNS.has(k) || k === valueColumn) continue;
              if (typeof v === 'string' && v !== '') labels[k] = v;
            }
            const t = o._time;
            rows.push({ labels, time: typeof t === 'string' ? Date.parse(t) : undefined, value: o[valueColumn] });
          },
          error(e) {
            done();
            reject(e);
          },
          complete() {
            done();
            if (deadline.signal.aborted) reject(deadline.signal.reason);
            else resolve(rows);
          },
          useCancellable(c) {
            cancel = () => c.cancel();
          },
        });
      });
    } catch (e) {
      const why = deadline.explain(e, 'Flux /api/v2/query');
      if (why !== undefined) throw why;
      if (isInfluxQueryError(e) || isMetricsError(e)) throw e;
      throw classify(e);
    }
  }
}

/**
 * isErrorTable tells whether a table's columns are those of Flux's error table (annotated CSV
 * spec, "Errors"): exactly `error` and `reference`, beside the unnamed annotation column.
 */
export function isErrorTable(labels: readonly string[]): boolean {
  const named = labels.filter((l) => l !== '');
  return named.length === 2 && named.includes('error') && named.includes('reference');
}

function classify(e: unknown): InfluxQueryError {
  if (e instanceof HttpError) {
    const detail = `Flux /api/v2/query: HTTP ${e.statusCode}: ${(e.body ?? e.message).slice(0, 500)}`;
    return new InfluxQueryError(e.statusCode === 400 ? 'query' : 'unavailable', detail, { cause: e });
  }
  if (e instanceof RequestTimedOutError) return new InfluxQueryError('unavailable', 'Flux /api/v2/query: request timed out', { cause: e });
  const code = (e as { code?: string })?.code;
  return new InfluxQueryError('unavailable', `Flux /api/v2/query: ${(e as Error)?.message ?? String(e)}${code ? ` (${code})` : ''}`, { cause: e });
}
