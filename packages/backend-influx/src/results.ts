// Turns result rows into values: the latest finite value per object (custom metrics) or per tag
// set (external metrics). Pure: no I/O.
import type { InfluxRow } from './client/types.js';

/** One kept sample. */
export interface Sample {
  value: number;
  /** Row time (epoch ms); undefined when the result carried none. */
  time: number | undefined;
  labels: Record<string, string>;
}

/** Why a row was dropped: no value (null / missing / not a number) or a non-finite number. */
export type DropReason = 'null' | 'nan';

/** Reads a cell as a finite number, or says why it cannot be one. */
export function sampleValue(cell: unknown): number | DropReason {
  let n: number;
  if (typeof cell === 'number') n = cell;
  else if (typeof cell === 'string' && cell.trim() !== '') n = Number(cell);
  else if (typeof cell === 'bigint') n = Number(cell);
  else return 'null';
  if (Number.isNaN(n) && typeof cell === 'string' && !/^[+-]?(nan|inf(inity)?)$/i.test(cell.trim())) return 'null';
  return Number.isFinite(n) ? n : 'nan';
}

/**
 * Groups rows by the value of `tag` and keeps, for each, the latest row with a finite value
 * (a later row wins a tie). Rows without the tag are ignored; dropped values are reported.
 */
export function latestByTag(rows: readonly InfluxRow[], tag: string, onDrop: (reason: DropReason) => void): Map<string, Sample> {
  const out = new Map<string, Sample>();
  for (const row of rows) {
    const key = row.labels[tag];
    if (key === undefined) continue;
    keepLatest(out, key, row, onDrop);
  }
  return out;
}

/** Groups rows by their whole label set and keeps the latest finite value of each. */
export function latestBySeries(rows: readonly InfluxRow[], onDrop: (reason: DropReason) => void): Sample[] {
  const out = new Map<string, Sample>();
  for (const row of rows) {
    const key = JSON.stringify(Object.entries(row.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    keepLatest(out, key, row, onDrop);
  }
  return [...out.values()];
}

function keepLatest(out: Map<string, Sample>, key: string, row: InfluxRow, onDrop: (reason: DropReason) => void): void {
  const v = sampleValue(row.value);
  if (typeof v !== 'number') {
    onDrop(v);
    return;
  }
  const prev = out.get(key);
  if (prev === undefined || (row.time ?? -Infinity) >= (prev.time ?? -Infinity)) {
    out.set(key, { value: v, time: row.time, labels: row.labels });
  }
}
