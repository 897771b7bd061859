// A Selector-shaped value carrying requirements the real parser would reject (hostile label
// values), to test that escaping holds even if validation upstream were bypassed.
import type { Requirement, Selector } from '@custom-metrics/core';

/** Builds a selector from raw requirements, without validation. */
export function rawSelector(requirements: Requirement[]): Selector {
  return {
    requirements,
    isEmpty: () => requirements.length === 0,
    matches: () => true,
    toString: () => requirements.map((r) => `${r.key}${r.operator}${r.values.join(',')}`).join(','),
  } as unknown as Selector;
}
