import { isMetricsError, isResponseTooLargeError, ServiceUnavailableError, type Logger } from '@custom-metrics/core';
import type { ServerMetrics } from '../observability/server-metrics.js';
import type { RegisteredBackend } from './registry.js';

/** What {@link callBackend} records to. */
export interface CallObservers {
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
}

/**
 * callBackend runs one provider call for `backend`: times it (per instance and operation),
 * passes `MetricsError`s through (404, 400, ...), and turns anything else into a 503 Status whose
 * message says nothing about the backend (the detail is logged). A call made after `signal` was
 * aborted (deadline, client gone) is a 503 too. An answer past the backend's `maxResponseBytes`
 * is a 503 naming the instance and the limit. `signal` is the request's cancellation (an
 * AbortSignal, or the routes' `Cancellation`, read without creating its AbortSignal).
 */
export async function callBackend<T>(
  backend: RegisteredBackend,
  operation: string,
  signal: Pick<AbortSignal, 'aborted' | 'throwIfAborted'>,
  observers: CallObservers,
  fn: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const op = providerOperation(operation);
  try {
    signal.throwIfAborted();
    const result = await fn();
    observe(observers, backend.name, op, 'success', started);
    // The debug page's last values: the answer is kept by reference, read when the page asks.
    observers.metrics.recent.answer(backend.name, operation, result);
    return result;
  } catch (e) {
    observe(observers, backend.name, op, 'error', started);
    if (isResponseTooLargeError(e)) {
      // Name the instance whose answer was too large, so the user knows whose limit to raise.
      observers.metrics.backendErrors.inc({ instance: backend.name, operation: op });
      observers.logger.warn({ backend: backend.name, operation, limitBytes: e.limitBytes }, 'backend answer exceeds maxResponseBytes');
      throw new ServiceUnavailableError(`backend "${backend.name}": ${e.message}`);
    }
    if (isMetricsError(e)) {
      if ((e as { code: number }).code >= 500) observers.metrics.backendErrors.inc({ instance: backend.name, operation: op });
      throw e;
    }
    observers.metrics.backendErrors.inc({ instance: backend.name, operation: op });
    if (signal.aborted) throw new ServiceUnavailableError('the request was cancelled or its deadline was exceeded');
    observers.logger.error({ backend: backend.name, operation, err: errorText(e) }, 'backend call failed');
    throw new ServiceUnavailableError('unable to fetch metrics');
  }
}

/** Records one call's latency (histogram and the debug page's recent latency). */
function observe(observers: CallObservers, instance: string, op: string, outcome: 'success' | 'error', started: number): void {
  const ms = performance.now() - started;
  observers.metrics.observeBackendCall(instance, op, outcome, ms / 1000);
  observers.metrics.recent.call(instance, op, ms, outcome === 'success');
}

/** `provider.<operation>` of each operation (a few names): built once, not on every call. */
const providerOperations = new Map<string, string>();

function providerOperation(operation: string): string {
  let op = providerOperations.get(operation);
  if (op === undefined) {
    op = `provider.${operation}`;
    if (providerOperations.size < 64) providerOperations.set(operation, op);
  }
  return op;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  try {
    return String(e);
  } catch {
    return 'unprintable error';
  }
}
