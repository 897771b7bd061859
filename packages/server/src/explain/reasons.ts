// Why an HPA shows `<unknown>`: the reasons `explain` tells apart, with what to do about each.
// Pure: no I/O.

/** A reason a metric does not resolve (the HPA shows `<unknown>` for it). */
export type ReasonCode =
  | 'api-unavailable'
  | 'metric-not-listed'
  | 'no-matching-objects'
  | 'no-values'
  | 'backend-error'
  | 'forbidden'
  | 'stale'
  | 'missing-request'
  | 'target-unresolved'
  | 'bad-request';

/** A reason with its detail and what to do. */
export interface Reason {
  readonly code: ReasonCode;
  /** What happened, precisely (names, numbers, the server's own message). */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

/** The page of docs/troubleshooting.md that explains each reason. */
export const TROUBLESHOOTING_ANCHOR: Record<ReasonCode, string> = {
  'api-unavailable': 'api-unavailable',
  'metric-not-listed': 'metric-not-listed',
  'no-matching-objects': 'no-matching-objects',
  'no-values': 'no-values',
  'backend-error': 'backend-error',
  forbidden: 'forbidden',
  stale: 'stale',
  'missing-request': 'missing-request',
  'target-unresolved': 'target-unresolved',
  'bad-request': 'bad-request',
};

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * closestNames returns up to `limit` of `listed` nearest to `name`: names containing it or
 * contained in it first, then by edit distance (at most a third of the name's length, at least 2), ties by name.
 */
export function closestNames(name: string, listed: Iterable<string>, limit = 3): string[] {
  const scored: Array<{ n: string; d: number }> = [];
  const lower = name.toLowerCase();
  for (const n of new Set(listed)) {
    const l = n.toLowerCase();
    const d = l.includes(lower) || lower.includes(l) ? 0.5 : editDistance(lower, l);
    if (d <= Math.max(2, Math.ceil(name.length / 3))) scored.push({ n, d });
  }
  scored.sort((x, y) => x.d - y.d || (x.n < y.n ? -1 : x.n > y.n ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.n);
}
