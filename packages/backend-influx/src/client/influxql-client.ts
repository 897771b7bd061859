// InfluxQL through the 1.x `/query` HTTP API (also served by InfluxDB 2.x and 3.x as the v1
// compatibility API). Results are JSON: results[].series[]{name, tags, columns, values} or an
// `error` per statement or for the whole request.
import { checkDeclaredLength, DEFAULT_MAX_RESPONSE_BYTES, isMetricsError, readBoundedText } from '@custom-metrics/core';
import { InfluxQueryError, isInfluxQueryError } from '../errors.js';
import { withDeadline } from './deadline.js';
import type { InfluxQueryClient, InfluxRow } from './types.js';

/** Connection settings of {@link InfluxQLClient}. */
export interface InfluxQLClientOptions {
  url: string;
  database: string;
  retentionPolicy?: string;
  username?: string;
  /** The password, or a function returning the current one (a file re-read on change). */
  password?: string | (() => string);
  /** `basic`: HTTP basic auth; `query`: `u`/`p` parameters. */
  authMethod: 'basic' | 'query';
  /** Sent as `Authorization: Token <token>` (2.x/3.x v1 compatibility); or a function returning the current token. */
  token?: string | (() => string);
  httpMethod: 'GET' | 'POST';
  timeoutMs: number;
  /** Largest answer read, in bytes (default 32 MiB); past it core's `ResponseTooLargeError` (503). */
  maxResponseBytes?: number;
  /** Replaceable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

interface V1Series {
  name?: string;
  tags?: Record<string, string>;
  columns?: string[];
  values?: unknown[][];
}
interface V1Response {
  results?: Array<{ statement_id?: number; series?: V1Series[]; error?: string }>;
  error?: string;
}

/** Queries `/query` with `db`, `rp`, `q` and `epoch=ms`. */
export class InfluxQLClient implements InfluxQueryClient {
  readonly #o: InfluxQLClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: InfluxQLClientOptions) {
    this.#o = options;
    this.#fetch = options.fetch ?? fetch;
  }

  async query(text: string, options: { valueColumn?: string; signal: AbortSignal }): Promise<InfluxRow[]> {
    options.signal.throwIfAborted();
    const o = this.#o;
    const params = new URLSearchParams({ db: o.database, epoch: 'ms' });
    if (o.retentionPolicy) params.set('rp', o.retentionPolicy);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (o.token !== undefined) headers.Authorization = `Token ${current(o.token)}`;
    else if (o.username !== undefined) {
      const password = current(o.password ?? '');
      if (o.authMethod === 'query') {
        params.set('u', o.username);
        params.set('p', password);
      } else {
        headers.Authorization = `Basic ${Buffer.from(`${o.username}:${password}`).toString('base64')}`;
      }
    }
    let body: string | undefined;
    if (o.httpMethod === 'GET') params.set('q', text);
    else {
      body = new URLSearchParams({ q: text }).toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    const deadline = withDeadline(options.signal, o.timeoutMs);
    let status: number;
    let raw: string;
    try {
      const res = await this.#fetch(`${o.url}/query?${params}`, { method: o.httpMethod, headers, body, signal: deadline.signal });
      status = res.status;
      const limit = o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      // Error bodies are read no further than 64 KiB; answers up to maxResponseBytes.
      const ok = status >= 200 && status < 300;
      if (ok) checkDeclaredLength(res.headers.get('content-length'), limit);
      raw = res.body === null ? '' : await readBoundedText(res.body as unknown as AsyncIterable<Uint8Array>, ok ? limit : Math.min(limit, 64 * 1024)).catch((e: unknown) => {
        if (!ok && isMetricsError(e)) return '';
        throw e;
      });
    } catch (e) {
      const why = deadline.explain(e, 'InfluxQL /query');
      if (why !== undefined) throw why;
      if (isInfluxQueryError(e) || isMetricsError(e)) throw e;
      throw new InfluxQueryError('unavailable', `InfluxQL /query: ${describe(e)}`, { cause: e });
    }
    let parsed: V1Response | undefined;
    try {
      parsed = JSON.parse(raw) as V1Response;
    } catch {
      parsed = undefined;
    }
    if (status === 400) throw new InfluxQueryError('query', `InfluxQL /query: HTTP 400: ${parsed?.error ?? raw.slice(0, 500)}`);
    if (status < 200 || status >= 300 || parsed === undefined) {
      throw new InfluxQueryError('unavailable', `InfluxQL /query: HTTP ${status}: ${parsed?.error ?? raw.slice(0, 500)}`);
    }
    if (parsed.error) throw new InfluxQueryError('query', `InfluxQL /query: ${parsed.error}`);
    const rows: InfluxRow[] = [];
    for (const result of parsed.results ?? []) {
      if (result.error) throw new InfluxQueryError('query', `InfluxQL statement ${result.statement_id ?? 0}: ${result.error}`);
      for (const s of result.series ?? []) rows.push(...seriesRows(s, options.valueColumn));
    }
    return rows;
  }
}

function current(v: string | (() => string)): string {
  return typeof v === 'function' ? v() : v;
}

function seriesRows(s: V1Series, valueColumn: string | undefined): InfluxRow[] {
  const columns = s.columns ?? [];
  const timeIdx = columns.indexOf('time');
  const valueIdx = valueColumn !== undefined ? columns.indexOf(valueColumn) : columns.findIndex((c) => c !== 'time');
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.tags ?? {})) if (typeof v === 'string' && v !== '') tags[k] = v;
  return (s.values ?? []).map((row) => {
    const labels = { ...tags };
    columns.forEach((c, i) => {
      if (i !== timeIdx && i !== valueIdx && typeof row[i] === 'string' && row[i] !== '') labels[c] = row[i] as string;
    });
    const t = timeIdx >= 0 ? row[timeIdx] : undefined;
    return { labels, time: typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : undefined, value: valueIdx >= 0 ? row[valueIdx] : undefined };
  });
}

function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return [String((e as Error)?.message ?? e), cause?.code ?? cause?.message].filter(Boolean).join(': ');
}
