/**
 * A local double of Datadog's metrics query API (`POST /api/v2/query/timeseries`) on 127.0.0.1.
 *
 * It enforces the documented contract: `DD-API-KEY` and `DD-APPLICATION-KEY` are required (403 with
 * Datadog's `{"errors":["Forbidden"]}` body otherwise); the JSON body is validated against the
 * `TimeseriesFormulaQueryRequest` schema of Datadog's v2 OpenAPI definition (data.type
 * `timeseries_request`; attributes.from/to int64 required; queries required, each with
 * `data_source` in `metrics|cloud_cost` and a `query` string; optional `name`, `interval`, and
 * `formulas[].formula`), and each query must parse as a metric query
 * (`<agg>:<metric>{<filter>}[ by {<keys>}][.fn(...)]`); failures are 400 with `{"errors":[...]}`.
 * Answers have the `TimeseriesFormulaQueryResponse` shape (`data.type` `timeseries_response`,
 * `attributes.series[].group_tags/query_index/unit`, `times` in ms, `values` per series). Only
 * points inside the request's [from, to] are answered (a point has the timestamp it was stored
 * with; a null value is a bucket without data, sent as JSON null; a query matching nothing has no
 * series). Like Datadog, one query it cannot run fails the whole call with a 400 whose `errors`
 * name it (`rejectQuery`). Every answer carries `X-RateLimit-Limit/Period/Remaining/Reset/Name`; the budget is enforced
 * (429 when exhausted) and tests can script 400/403/429/5xx answers.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One series the double returns for a query. */
export interface DoubleSeries {
  tags: string[];
  /** [time in ms, value]; null values are sent as JSON null. */
  points: Array<[number, number | null]>;
}

/** A scripted answer for one upcoming call. */
export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One recorded call. */
export interface RecordedCall {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  queries: string[];
  status: number;
}

/** Options of {@link startDatadogDouble}. */
export interface DatadogDoubleOptions {
  apiKey: string;
  appKey: string;
  /** Answers a query with series (default: none). */
  resolve?: (query: string) => DoubleSeries[];
  /** Rate-limit budget (default 10000 per 3600 s). */
  rateLimit?: { limit: number; periodSeconds: number; name?: string };
  /** Returns an error text for a query Datadog would refuse (then the whole call is a 400), else undefined. */
  reject?: (query: string) => string | undefined;
}

/** A running double. */
export interface DatadogDouble {
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Queue answers returned (in order) instead of evaluating the next calls. */
  script(...answers: ScriptedAnswer[]): void;
  setResolver(fn: (query: string) => DoubleSeries[]): void;
  /** Refuses (400, the whole call) every call carrying a query for which `fn` returns an error text. */
  setRejecter(fn: (query: string) => string | undefined): void;
  /** Forgets recorded calls and scripted answers and resets the resolver and rejecter. */
  reset(): void;
  /** Number of calls to the timeseries endpoint. */
  queryCalls(): number;
  stop(): Promise<void>;
}

const METRIC_QUERY = /^(avg|sum|min|max):[A-Za-z][A-Za-z0-9_.]*\{[^{}]*\}( by \{[^{}]*\})?(\.[a-z_]+\([^()]*\))*$/;

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** validateRequest checks a body against the v2 TimeseriesFormulaQueryRequest schema; returns errors. */
export function validateRequest(body: unknown): string[] {
  const errs: string[] = [];
  const data = (body as { data?: unknown } | null)?.data as Record<string, unknown> | undefined;
  if (!data || typeof data !== 'object') return ['data: required object'];
  if (data.type !== 'timeseries_request') errs.push('data.type: must be "timeseries_request"');
  const a = data.attributes as Record<string, unknown> | undefined;
  if (!a || typeof a !== 'object') return [...errs, 'data.attributes: required object'];
  if (!isInt(a.from)) errs.push('data.attributes.from: required int64');
  if (!isInt(a.to)) errs.push('data.attributes.to: required int64');
  if (isInt(a.from) && isInt(a.to) && a.from >= a.to) errs.push('data.attributes: from must be before to');
  if (a.interval !== undefined && !isInt(a.interval)) errs.push('data.attributes.interval: int64');
  if (!Array.isArray(a.queries) || a.queries.length === 0) errs.push('data.attributes.queries: required non-empty array');
  const names = new Set<string>();
  (Array.isArray(a.queries) ? a.queries : []).forEach((q: unknown, i) => {
    const o = q as Record<string, unknown>;
    if (!o || typeof o !== 'object') return errs.push(`queries[${i}]: object`);
    if (o.data_source !== 'metrics' && o.data_source !== 'cloud_cost') errs.push(`queries[${i}].data_source: must be metrics or cloud_cost`);
    if (typeof o.query !== 'string') errs.push(`queries[${i}].query: required string`);
    else if (!METRIC_QUERY.test(o.query)) errs.push(`queries[${i}].query: Error parsing query: ${o.query}`);
    if (o.name !== undefined) {
      if (typeof o.name !== 'string') errs.push(`queries[${i}].name: string`);
      else names.add(o.name);
    }
    return undefined;
  });
  if (a.formulas !== undefined) {
    if (!Array.isArray(a.formulas)) errs.push('data.attributes.formulas: array');
    else
      a.formulas.forEach((f: unknown, i) => {
        const formula = (f as { formula?: unknown } | null)?.formula;
        if (typeof formula !== 'string') errs.push(`formulas[${i}].formula: required string`);
        else if (!names.has(formula)) errs.push(`formulas[${i}].formula: unknown query ${formula} (the double supports formulas naming one query)`);
      });
  }
  return errs;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** startDatadogDouble starts the double on a free loopback port. */
export async function startDatadogDouble(opts: DatadogDoubleOptions): Promise<DatadogDouble> {
  const calls: RecordedCall[] = [];
  const scripted: ScriptedAnswer[] = [];
  let resolve = opts.resolve ?? (() => []);
  let reject = opts.reject ?? (() => undefined);
  const limit = opts.rateLimit ?? { limit: 10_000, periodSeconds: 3600 };
  let periodStart = Math.floor(Date.now() / 1000 / limit.periodSeconds) * limit.periodSeconds;
  let used = 0;

  const rateHeaders = (): Record<string, string> => {
    const nowS = Date.now() / 1000;
    if (nowS >= periodStart + limit.periodSeconds) {
      periodStart = Math.floor(nowS / limit.periodSeconds) * limit.periodSeconds;
      used = 0;
    }
    return {
      'x-ratelimit-limit': String(limit.limit),
      'x-ratelimit-period': String(limit.periodSeconds),
      'x-ratelimit-remaining': String(Math.max(0, limit.limit - used)),
      'x-ratelimit-reset': String(Math.max(0, Math.ceil(periodStart + limit.periodSeconds - nowS))),
      'x-ratelimit-name': limit.name ?? 'metrics_query',
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0];
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const queries = ((body as { data?: { attributes?: { queries?: Array<{ query?: unknown }> } } } | undefined)?.data?.attributes?.queries ?? [])
      .map((q) => q?.query)
      .filter((q): q is string => typeof q === 'string');
    const call: RecordedCall = { method: req.method ?? '', path, headers: { ...req.headers }, body, queries, status: 0 };
    calls.push(call);
    const reply = (status: number, b: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      send(res, status, b, headers);
    };

    if (path !== '/api/v2/query/timeseries') return reply(404, { errors: ['Not found'] });
    if (req.method !== 'POST') return reply(405, { errors: ['Method Not Allowed'] });
    if (req.headers['dd-api-key'] !== opts.apiKey || req.headers['dd-application-key'] !== opts.appKey) {
      return reply(403, { errors: ['Forbidden'] });
    }
    const next = scripted.shift();
    if (next) {
      used++;
      return reply(next.status, next.body ?? { errors: [`scripted ${next.status}`] }, { ...rateHeaders(), ...next.headers });
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return reply(400, { errors: ['Content-Type must be application/json'] });
    const headers = rateHeaders();
    if (Number(headers['x-ratelimit-remaining']) <= 0) return reply(429, { errors: ['Too many requests'] }, headers);
    const errs = validateRequest(body);
    if (errs.length === 0) {
      const qs = (body as { data: { attributes: { queries: Array<{ query: string }> } } }).data.attributes.queries;
      qs.forEach((q, i) => {
        const why = reject(q.query);
        if (why !== undefined) errs.push(`queries[${i}].query: ${why}`);
      });
    }
    used++;
    const after = rateHeaders();
    if (errs.length > 0) return reply(400, { errors: errs }, after);

    const attrs = (body as { data: { attributes: { from: number; to: number; queries: Array<{ query: string; name?: string }>; formulas?: Array<{ formula: string }> } } }).data
      .attributes;
    const outputs = attrs.formulas ? attrs.formulas.map((f) => attrs.queries.findIndex((q) => q.name === f.formula)) : attrs.queries.map((_, i) => i);
    // Only the points inside the requested window, as Datadog answers.
    const inWindow = (list: DoubleSeries[]) =>
      list.map((s) => ({ tags: s.tags, points: s.points.filter(([t]) => t >= attrs.from && t <= attrs.to) })).filter((s) => s.points.length > 0);
    const perOutput = outputs.map((qi) => inWindow(resolve(attrs.queries[qi].query)));
    const times = [...new Set(perOutput.flat().flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
    const series: unknown[] = [];
    const values: Array<Array<number | null>> = [];
    perOutput.forEach((list, outIndex) => {
      for (const s of list) {
        series.push({ group_tags: s.tags, query_index: outIndex, unit: [{ family: 'general', name: 'unit', plural: 'units', scale_factor: 1, short_name: '' }, null] });
        const byTime = new Map(s.points);
        values.push(times.map((t) => (byTime.has(t) ? (byTime.get(t) as number | null) : null)));
      }
    });
    return reply(200, { data: { type: 'timeseries_response', attributes: { series, times, values } } }, after);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { errors: ['double failure'] }, {});
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    script: (...answers) => void scripted.push(...answers),
    setResolver: (fn) => void (resolve = fn),
    setRejecter: (fn) => void (reject = fn),
    reset: () => {
      calls.length = 0;
      scripted.length = 0;
      resolve = () => [];
      reject = () => undefined;
    },
    queryCalls: () => calls.filter((c) => c.path === '/api/v2/query/timeseries').length,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
