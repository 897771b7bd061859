import { describe, expect, it } from 'vitest';
import { isStale, seriesKey, SeriesStore } from './series-store.js';

const store = (maxSeries = 100) => new SeriesStore({ maxSeries, capacity: 8, names: new Set(['a', 'b']), retentionMs: 60_000 });

describe('SeriesStore', () => {
  it('keys series by name and sorted labels', () => {
    expect(seriesKey('m', { b: '1', a: '2' })).toBe(seriesKey('m', { a: '2', b: '1' }));
    expect(seriesKey('m', { a: '1' })).not.toBe(seriesKey('m', { a: '1', b: '' }));
  });

  it('keeps only wanted names and finite values', () => {
    const s = store();
    const r = s.ingest('t', [
      { name: 'a', labels: { x: '1' }, value: 1, tMs: 1000 },
      { name: 'zzz', labels: {}, value: 1, tMs: 1000 },
      { name: 'b', labels: {}, value: NaN, tMs: 1000 },
      { name: 'b', labels: { y: '1' }, value: Infinity, tMs: 1000 },
    ], 1000, 1000);
    expect(r).toEqual({ stored: 1, overLimit: 0, ignored: 1, nonFinite: 2 });
    expect(s.size).toBe(1);
  });

  it('refuses new series past the limit but keeps updating existing ones', () => {
    const s = store(2);
    const batch = (t: number) => Array.from({ length: 5 }, (_, i) => ({ name: 'a', labels: { i: String(i) }, value: t, tMs: t }));
    expect(s.ingest('t', batch(1000), 1000, 1000).overLimit).toBe(3);
    const r = s.ingest('t', batch(2000), 2000, 1000);
    expect(r).toMatchObject({ stored: 2, overLimit: 3 });
    expect(s.size).toBe(2);
    expect(s.fresh('a', 2000).map((x) => x.buffer.size)).toEqual([2, 2]);
  });

  it('stops serving a series unseen for two intervals and evicts it after the retention', () => {
    const s = store();
    s.ingest('t', [{ name: 'a', labels: {}, value: 1, tMs: 0 }], 0, 5000);
    expect(s.fresh('a', 10_000)).toHaveLength(1);
    expect(s.fresh('a', 10_001)).toHaveLength(0);
    expect(isStale({ lastSeenMs: 0, intervalMs: 5000 }, 10_001)).toBe(true);
    expect(s.sweep(59_000)).toBe(0);
    expect(s.size).toBe(1);
    expect(s.sweep(60_001)).toBe(1);
    expect(s.size).toBe(0);
  });
});
