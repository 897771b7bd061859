import type { LabelSelector } from './model.js';
import { selectorToLabelSelector, type Selector } from './selector.js';

/**
 * metricSelectorOf is the `metric.selector` of a metric value for the request's metric selector:
 * `null` when it is empty, and also when it has no `LabelSelector` form (`!=`, `>`, `<`, which
 * `metav1.ParseToLabelSelector` refuses) — the values are still filtered by it. Never throws.
 */
export function metricSelectorOf(sel: Selector): LabelSelector | null {
  if (sel.isEmpty()) return null;
  try {
    return selectorToLabelSelector(sel);
  } catch {
    return null;
  }
}
