import type { CompiledRule } from '../config.js';
import { applyWindowFunction } from '../window/functions.js';
import type { SeriesStore } from '../window/series-store.js';

/** One series' value under a rule. */
export interface EvaluatedSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Time of the newest sample used (ms). */
  readonly timestampMs: number;
}

/**
 * evaluateRule applies the rule's window function to every fresh series of its name that its
 * `match` selector and the optional `filter` accept. Series without enough samples in the window
 * (or with a non-finite result) are left out.
 */
export function evaluateRule(
  store: SeriesStore,
  rule: CompiledRule,
  nowMs: number,
  filter?: (labels: Readonly<Record<string, string>>) => boolean,
): EvaluatedSeries[] {
  const out: EvaluatedSeries[] = [];
  for (const s of store.fresh(rule.series, nowMs)) {
    if (!rule.match.matches(s.labels as Record<string, string>)) continue;
    if (filter && !filter(s.labels)) continue;
    const w = s.buffer.range(nowMs - rule.windowMs, nowMs);
    const value = applyWindowFunction(rule.fn, w, nowMs, rule.windowMs);
    if (value === undefined) continue;
    out.push({ labels: s.labels, value, timestampMs: w.t[w.t.length - 1] });
  }
  return out;
}

/** The `windowSeconds` reported for a rule: its window, except for `last` (a point value). */
export function reportedWindowSeconds(rule: CompiledRule): number | undefined {
  return rule.fn === 'last' ? undefined : Math.round(rule.windowMs / 1000);
}
