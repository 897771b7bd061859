// The client seam: providers talk to the metrics API only through TemplateClient. HttpTemplateClient
// is the real one; tests use FakeTemplateClient from ./testing.
import { backendFailure, checkDeclaredLength, isMetricsError, readBoundedText } from '@custom-metrics/core';
import { failureForStatus } from './errors.js';
import type { SeriesQuery } from './query/build.js';

/** One series of an answer: its labels and latest value. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Epoch milliseconds. */
  readonly timestampMs: number;
}

/** TemplateClient runs one query. Failures are core's `backendFailure` kinds (`unreachable`, `timeout`, `malformed`…). */
export interface TemplateClient {
  query(query: SeriesQuery, signal: AbortSignal): Promise<Sample[]>;
  close?(): void;
}

/** Settings of {@link HttpTemplateClient}. */
export interface HttpTemplateClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly fetch?: typeof fetch;
}

/**
 * HttpTemplateClient POSTs the query as JSON to `<url>/api/v1/series/query` and expects
 * `{"series":[{"labels":{…},"value":1.5,"timestampMs":…}]}`. Replace the wire format with your
 * metrics system's; keep the timeout, the size bound and the generic error messages.
 */
export class HttpTemplateClient implements TemplateClient {
  constructor(readonly options: HttpTemplateClientOptions) {}

  async query(query: SeriesQuery, signal: AbortSignal): Promise<Sample[]> {
    const f = this.options.fetch ?? fetch;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let text: string;
    try {
      const res = await f(`${this.options.url}/api/v1/series/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(query),
        signal: AbortSignal.any([signal, timeout]),
      });
      checkDeclaredLength(res.headers.get('content-length'), this.options.maxResponseBytes);
      text = res.body ? await readBoundedText(res.body as AsyncIterable<Uint8Array>, this.options.maxResponseBytes) : '';
      if (!res.ok) throw failureForStatus(res.status);
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      if (isMetricsError(e)) throw e; // classified above, or ResponseTooLargeError (tooLarge)
      if (timeout.aborted) throw backendFailure('timeout', 'the metrics API did not answer in time');
      throw backendFailure('unreachable', 'the metrics API is unreachable');
    }
    return parseAnswer(text);
  }
}

/** Parses an answer body, keeping series with a finite value. */
export function parseAnswer(text: string): Sample[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw backendFailure('malformed', 'the metrics API answered with invalid JSON');
  }
  const series = (body as { series?: unknown }).series;
  if (!Array.isArray(series)) throw backendFailure('malformed', 'the metrics API answer has no "series" array');
  const out: Sample[] = [];
  for (const s of series as Array<{ labels?: unknown; value?: unknown; timestampMs?: unknown }>) {
    if (typeof s?.value !== 'number' || !Number.isFinite(s.value) || typeof s.labels !== 'object' || s.labels === null) continue;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.labels)) if (typeof v === 'string') labels[k] = v;
    out.push({ labels, value: s.value, timestampMs: typeof s.timestampMs === 'number' ? s.timestampMs : Date.now() });
  }
  return out;
}
