import { describe, expect, it } from 'vitest';
import { applyWindowFunction, extrapolatedIncrease } from './functions.js';
import { RingBuffer } from './ring-buffer.js';

const S = (pairs: Array<[number, number]>) => ({ t: pairs.map((p) => p[0] * 1000), v: pairs.map((p) => p[1]) });

describe('extrapolatedIncrease / rate (Prometheus extrapolatedRate semantics)', () => {
  it('extrapolates to the window edges when samples are close to them', () => {
    // window [0, 60]; samples every 10 s from 5 to 55, +10 each: edges 5 s away < 1.1*10 s.
    const s = S([[5, 100], [15, 110], [25, 120], [35, 130], [45, 140], [55, 150]]);
    expect(extrapolatedIncrease(s, 60_000, 60_000)).toBeCloseTo(60, 9);
    expect(applyWindowFunction('rate', s, 60_000, 60_000)).toBeCloseTo(1, 9);
  });

  it('extrapolates only half an interval when a sample is far from the edge', () => {
    // window [0, 60]; samples at 30, 40, 50 (+10 each): start is 30 s away (> 11) → +5 s; end 10 s away (< 11) → +10 s.
    const s = S([[30, 100], [40, 110], [50, 120]]);
    // sampled 20 s, extrapolated to 35 s: 20 * 35/20 = 35
    expect(extrapolatedIncrease(s, 60_000, 60_000)).toBeCloseTo(35, 9);
  });

  it('does not extrapolate a counter below zero at the start', () => {
    // First value 2 with slope 1/s: zero is 2 s before the first sample, closer than the window start (9 s).
    const s = S([[9, 2], [19, 12], [29, 22]]);
    // toStart = min(9, 20*(2/20)=2) = 2; toEnd = 1 → interval 23; 20*23/20 = 23
    expect(extrapolatedIncrease(s, 30_000, 30_000)).toBeCloseTo(23, 9);
  });

  it('adds counter resets back', () => {
    // 10 → 20 → reset to 5 → 15: increase 10 + 5 + 10 = 25 over 30 s sampled.
    const s = S([[0, 10], [10, 20], [20, 5], [30, 15]]);
    expect(extrapolatedIncrease(s, 30_000, 30_000)).toBeCloseTo(25, 9);
    expect(applyWindowFunction('rate', s, 30_000, 30_000)).toBeCloseTo(25 / 30, 9);
  });

  it('needs two samples', () => {
    expect(applyWindowFunction('rate', S([[1, 5]]), 10_000, 10_000)).toBeUndefined();
    expect(applyWindowFunction('increase', S([]), 10_000, 10_000)).toBeUndefined();
  });
});

describe('avg / max / min / last', () => {
  const s = S([[1, 4], [2, -1], [3, 9], [4, 2]]);
  it('compute over the window', () => {
    expect(applyWindowFunction('avg', s, 5000, 5000)).toBe(3.5);
    expect(applyWindowFunction('max', s, 5000, 5000)).toBe(9);
    expect(applyWindowFunction('min', s, 5000, 5000)).toBe(-1);
    expect(applyWindowFunction('last', s, 5000, 5000)).toBe(2);
  });
  it('return undefined for an empty window', () => {
    for (const fn of ['avg', 'max', 'min', 'last'] as const) expect(applyWindowFunction(fn, S([]), 1, 1)).toBeUndefined();
  });
});

describe('RingBuffer', () => {
  it('keeps the newest samples up to its capacity, oldest first', () => {
    const rb = new RingBuffer(3);
    for (let i = 1; i <= 5; i++) rb.push(i * 1000, i);
    expect(rb.size).toBe(3);
    expect(rb.range(0, 10_000)).toEqual({ t: [3000, 4000, 5000], v: [3, 4, 5] });
    expect(rb.range(3500, 4500)).toEqual({ t: [4000], v: [4] });
  });
  it('ignores samples that do not move forward in time', () => {
    const rb = new RingBuffer(4);
    expect(rb.push(2000, 1)).toBe(true);
    expect(rb.push(2000, 2)).toBe(false);
    expect(rb.push(1000, 3)).toBe(false);
    expect(rb.range(0, 5000).v).toEqual([1]);
  });
  it('rejects a non-positive capacity', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
