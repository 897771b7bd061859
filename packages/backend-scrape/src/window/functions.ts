/** The window functions a rule can apply to a series. */
export type WindowFunction = 'rate' | 'increase' | 'avg' | 'max' | 'min' | 'last';

/** All {@link WindowFunction} names. */
export const WINDOW_FUNCTIONS: readonly WindowFunction[] = ['rate', 'increase', 'avg', 'max', 'min', 'last'];

/** Samples of one series inside a window, oldest first (times in ms). */
export interface WindowSamples {
  readonly t: readonly number[];
  readonly v: readonly number[];
}

/**
 * extrapolatedIncrease computes the counter increase over `[endMs - windowMs, endMs]` with
 * Prometheus' `extrapolatedRate` semantics: counter resets are added back, and the result is
 * extrapolated towards the window edges when the first/last sample is within 1.1 average sample
 * intervals of them (otherwise by half an interval), never below zero at the start.
 * Returns undefined with fewer than two samples.
 */
export function extrapolatedIncrease(s: WindowSamples, endMs: number, windowMs: number): number | undefined {
  const n = s.t.length;
  if (n < 2) return undefined;
  const first = s.v[0];
  let result = s.v[n - 1] - first;
  let prev = first;
  for (let k = 1; k < n; k++) {
    if (s.v[k] < prev) result += prev; // counter reset
    prev = s.v[k];
  }
  const startMs = endMs - windowMs;
  const sampled = (s.t[n - 1] - s.t[0]) / 1000;
  if (sampled <= 0) return undefined;
  let toStart = (s.t[0] - startMs) / 1000;
  const toEnd = (endMs - s.t[n - 1]) / 1000;
  const avgStep = sampled / (n - 1);
  if (result > 0 && first >= 0) {
    const toZero = sampled * (first / result);
    if (toZero < toStart) toStart = toZero;
  }
  const threshold = avgStep * 1.1;
  let interval = sampled;
  interval += toStart < threshold ? toStart : avgStep / 2;
  interval += toEnd < threshold ? toEnd : avgStep / 2;
  return result * (interval / sampled);
}

/**
 * applyWindowFunction evaluates `fn` over the samples of one window ending at `endMs`.
 * `rate` is per second over the whole window, as PromQL's `rate()`. Returns undefined when the
 * window holds too few samples (two for rate/increase, one otherwise) or the result is not finite.
 */
export function applyWindowFunction(fn: WindowFunction, s: WindowSamples, endMs: number, windowMs: number): number | undefined {
  const n = s.v.length;
  let out: number | undefined;
  switch (fn) {
    case 'rate': {
      const inc = extrapolatedIncrease(s, endMs, windowMs);
      out = inc === undefined ? undefined : inc / (windowMs / 1000);
      break;
    }
    case 'increase':
      out = extrapolatedIncrease(s, endMs, windowMs);
      break;
    case 'avg': {
      if (n === 0) return undefined;
      let sum = 0;
      for (const x of s.v) sum += x;
      out = sum / n;
      break;
    }
    case 'max':
      out = n === 0 ? undefined : Math.max(...s.v);
      break;
    case 'min':
      out = n === 0 ? undefined : Math.min(...s.v);
      break;
    case 'last':
      out = n === 0 ? undefined : s.v[n - 1];
      break;
  }
  return out !== undefined && Number.isFinite(out) ? out : undefined;
}
