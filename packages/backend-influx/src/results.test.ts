import { describe, expect, it } from 'vitest';
import type { InfluxRow } from './client/types.js';
import { latestBySeries, latestByTag, sampleValue, type DropReason } from './results.js';

const row = (labels: Record<string, string>, value: unknown, time?: number): InfluxRow => ({ labels, value, time });

describe('sampleValue', () => {
  it.each<[unknown, number | DropReason]>([
    [1.5, 1.5],
    [0, 0],
    ['42', 42],
    ['-1e3', -1000],
    [null, 'null'],
    [undefined, 'null'],
    ['', 'null'],
    ['abc', 'null'],
    [true, 'null'],
    [NaN, 'nan'],
    [Infinity, 'nan'],
    ['NaN', 'nan'],
    ['+Inf', 'nan'],
  ])('%j → %j', (cell, want) => {
    expect(sampleValue(cell)).toBe(want);
  });
});

describe('latestByTag', () => {
  it('keeps the latest finite value per tag value and counts drops', () => {
    const drops: DropReason[] = [];
    const m = latestByTag(
      [
        row({ pod: 'a' }, 1, 1000),
        row({ pod: 'a' }, 2, 3000),
        row({ pod: 'a' }, 9, 2000),
        row({ pod: 'b' }, null, 3000),
        row({ pod: 'b' }, 5, 1000),
        row({ pod: 'c' }, NaN, 1000),
        row({ other: 'x' }, 7, 1000),
      ],
      'pod',
      (r) => drops.push(r),
    );
    expect([...m.entries()].map(([k, s]) => [k, s.value, s.time])).toEqual([
      ['a', 2, 3000],
      ['b', 5, 1000],
    ]);
    expect(drops).toEqual(['null', 'nan']);
  });
});

describe('latestBySeries', () => {
  it('keeps one sample per label set, regardless of label order', () => {
    const s = latestBySeries(
      [row({ q: 'a', env: 'p' }, 1, 1), row({ env: 'p', q: 'a' }, 2, 2), row({ q: 'b' }, 3, 1), row({ q: 'c' }, undefined, 1)],
      () => {},
    );
    expect(s.map((x) => [x.labels, x.value])).toEqual([
      [{ env: 'p', q: 'a' }, 2],
      [{ q: 'b' }, 3],
    ]);
  });
});
