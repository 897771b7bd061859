// Combines the caller's AbortSignal with a deadline, and tells the two apart afterwards.
import { InfluxQueryError } from '../errors.js';

/**
 * A signal that aborts when `signal` aborts or `timeoutMs` passes. `explain` returns what to throw
 * for a failure caused by either (the caller's abort reason, or an "unavailable"
 * InfluxQueryError for the deadline), or undefined when neither fired.
 */
export function withDeadline(signal: AbortSignal, timeoutMs: number): { signal: AbortSignal; explain(e: unknown, what: string): unknown } {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  return {
    signal: combined,
    explain(e, what) {
      if (signal.aborted) return signal.reason;
      if (timeout.aborted) return new InfluxQueryError('unavailable', `${what}: no answer within ${timeoutMs} ms`, { cause: e });
      return undefined;
    },
  };
}
