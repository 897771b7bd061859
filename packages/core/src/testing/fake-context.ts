import type { KubeLookup, KubeObject } from '../kube.js';
import type { BackendContext, BackendMetrics, Logger } from '../plugin.js';
import { FakeKubeLookup } from './fake-kube.js';

/** One line a {@link RecordingLogger} received. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  msg?: string;
}

const MAX_RECORDS = 10_000;

/** A {@link Logger} that keeps what it is given (the most recent 10 000 records) for assertions. */
export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  #push(level: LogRecord['level'], obj: object | string, msg?: string): void {
    const rec: LogRecord = typeof obj === 'string' ? { level, fields: {}, msg: obj } : { level, fields: obj, msg };
    this.records.push(rec);
    if (this.records.length > MAX_RECORDS) this.records.shift();
  }
  debug(obj: object | string, msg?: string): void {
    this.#push('debug', obj, msg);
  }
  info(obj: object | string, msg?: string): void {
    this.#push('info', obj, msg);
  }
  warn(obj: object | string, msg?: string): void {
    this.#push('warn', obj, msg);
  }
  error(obj: object | string, msg?: string): void {
    this.#push('error', obj, msg);
  }
}

/** One backend call recorded by {@link RecordingMetrics.observeCall}. */
export interface RecordedCall {
  operation: string;
  seconds: number;
  outcome: 'success' | 'error';
  /** The query text, when the backend passed one. */
  query?: string;
}

/** A {@link BackendMetrics} that records calls, cache results, counters and gauges. */
export class RecordingMetrics implements BackendMetrics {
  readonly calls: RecordedCall[] = [];
  readonly cacheResults = { hit: 0, miss: 0, stale: 0 };
  readonly counters = new Map<string, number>();
  readonly gauges = new Map<string, number>();
  observeCall(operation: string, seconds: number, outcome: 'success' | 'error', query?: string): void {
    this.calls.push({ operation, seconds, outcome, ...(query !== undefined ? { query } : {}) });
    if (this.calls.length > MAX_RECORDS) this.calls.shift();
  }
  cache(result: 'hit' | 'miss' | 'stale'): void {
    this.cacheResults[result]++;
  }
  count(event: string, n = 1): void {
    this.counters.set(event, (this.counters.get(event) ?? 0) + n);
  }
  gauge(name: string, value: number): void {
    this.gauges.set(name, value);
  }
}

/** A {@link BackendContext} whose logger and metrics record, with a way to simulate shutdown. */
export interface FakeBackendContext extends BackendContext {
  readonly logger: RecordingLogger;
  readonly metrics: RecordingMetrics;
  /** Aborts `signal`, as the server does on shutdown. */
  shutdown(reason?: unknown): void;
}

/** Options of {@link fakeBackendContext}. */
export interface FakeBackendContextOptions {
  /** Default `test`. */
  instanceName?: string;
  /** The cluster view; default a {@link FakeKubeLookup} over `objects`. */
  kube?: KubeLookup;
  /** Objects for the default FakeKubeLookup (ignored when `kube` is given). */
  objects?: KubeObject[];
}

/**
 * fakeBackendContext builds a {@link BackendContext} for backend tests: instance name `test`, a
 * {@link FakeKubeLookup}, a {@link RecordingLogger}, {@link RecordingMetrics} and a shutdown signal.
 */
export function fakeBackendContext(overrides: FakeBackendContextOptions = {}): FakeBackendContext {
  const controller = new AbortController();
  return {
    instanceName: overrides.instanceName ?? 'test',
    kube: overrides.kube ?? new FakeKubeLookup({ objects: overrides.objects ?? [] }),
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    signal: controller.signal,
    shutdown: (reason?: unknown) => controller.abort(reason),
  };
}
