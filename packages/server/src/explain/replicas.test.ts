import { describe, expect, it } from 'vitest';
import { averageValueReplicas, decideReplicas, perPodValueReplicas, totalValueReplicas, usageRatioReplicas, utilizationReplicas } from './replicas.js';

describe('the HPA replica arithmetic (replica_calculator.go)', () => {
  it.each([
    // current, values (milli), target (milli), expected replicas, within tolerance
    { current: 2, values: [3000, 3000], target: 2000, replicas: 3, tol: false },
    { current: 2, values: [2100, 2000], target: 2000, replicas: 2, tol: true }, // ratio 1.025
    { current: 3, values: [1000, 1000, 1000], target: 2000, replicas: 2, tol: false }, // ceil(0.5 × 3)
    { current: 4, values: [2200, 2200, 2200, 2200], target: 2000, replicas: 5, tol: false }, // ratio 1.1: |1 − 1.1| is 0.10000000000000009 in float64, as in Go: outside
    { current: 4, values: [2300, 2300, 2300, 2300], target: 2000, replicas: 5, tol: false }, // ceil(1.15 × 4)
    { current: 5, values: [500, 1500], target: 1000, replicas: 5, tol: true }, // only two pods have values, ratio 1
  ])('Pods AverageValue: $values against $target with $current replicas → $replicas', ({ current, values, target, replicas, tol }) => {
    const p = averageValueReplicas(current, values, target);
    expect(p.replicas).toBe(replicas);
    expect(p.withinTolerance).toBe(tol);
  });

  it.each([
    { current: 4, usage: [500, 500], requests: [250, 250], target: 100, replicas: 4, utilization: 200 }, // ceil(2 × 2 pods with values)
    { current: 2, usage: [450, 450], requests: [500, 500], target: 80, replicas: 3, utilization: 90 }, // 90/80 = 1.125 → ceil(2.25)
    { current: 2, usage: [410, 410], requests: [500, 500], target: 80, replicas: 2, utilization: 82 }, // within tolerance
    { current: 3, usage: [333, 333, 334], requests: [1000, 1000, 1000], target: 50, replicas: 2, utilization: 33 }, // int(33.3) = 33 → 0.66 × 3 = 1.98 → 2
  ])('Resource Utilization: $usage of $requests at $target% → $replicas ($utilization%)', ({ current, usage, requests, target, replicas, utilization }) => {
    const p = utilizationReplicas(current, usage, requests, target);
    expect(p.replicas).toBe(replicas);
    expect(p.current).toBe(utilization);
  });

  it.each([
    { current: 2, total: 30_000, target: 10_000, ready: 2, replicas: 6 },
    { current: 2, total: 10_500, target: 10_000, ready: 2, replicas: 2 },
    { current: 0, total: 25_000, target: 10_000, ready: 0, replicas: 3 }, // no replicas: ceil(ratio)
    { current: 4, total: 5_000, target: 10_000, ready: 3, replicas: 2 }, // ceil(0.5 × 3 ready)
  ])('Object/External Value: total $total, target $target, $ready ready → $replicas', ({ current, total, target, ready, replicas }) => {
    expect(totalValueReplicas(current, total, target, ready).replicas).toBe(replicas);
  });

  it.each([
    { current: 2, total: 42_000, target: 10_000, replicas: 5, shown: 21_000 },
    { current: 4, total: 41_000, target: 10_000, replicas: 4, shown: 10_250 }, // 41/(10×4) = 1.025
    { current: 3, total: 1_000, target: 10_000, replicas: 1, shown: 334 },
  ])('Object/External AverageValue: total $total, target $target, $current replicas → $replicas', ({ current, total, target, replicas, shown }) => {
    const p = perPodValueReplicas(current, total, target);
    expect(p.replicas).toBe(replicas);
    expect(p.current).toBe(shown);
  });

  it('usageRatioReplicas keeps the count inside the tolerance and scales outside it', () => {
    expect(usageRatioReplicas(3, 1.09, 3)).toEqual({ replicas: 3, withinTolerance: true });
    expect(usageRatioReplicas(3, 1.2, 3)).toEqual({ replicas: 4, withinTolerance: false });
    expect(usageRatioReplicas(3, 1.2, 3, 0.25)).toEqual({ replicas: 3, withinTolerance: true });
  });

  it.each([
    { current: 2, min: 1, max: 10, proposals: [3, 5], desired: 5, unknown: false }, // largest proposal wins
    { current: 2, min: 1, max: 4, proposals: [9], desired: 4, unknown: false }, // capped at max
    { current: 2, min: 3, max: 10, proposals: [1], desired: 3, unknown: false }, // raised to min
    { current: 5, min: 1, max: 10, proposals: [2, undefined], desired: 5, unknown: true }, // no scale down with a failing metric
    { current: 2, min: 1, max: 10, proposals: [6, undefined], desired: 6, unknown: true }, // scale up still happens
    { current: 2, min: 1, max: 10, proposals: [undefined, undefined], desired: 2, unknown: true }, // nothing resolves: unchanged
    { current: 0, min: 1, max: 10, proposals: [4], desired: 0, unknown: false }, // scaled to zero: disabled
  ])('decideReplicas($current, min $min, max $max, $proposals) → $desired', ({ current, min, max, proposals, desired, unknown }) => {
    const d = decideReplicas(current, min, max, proposals);
    expect(d.desired).toBe(desired);
    expect(d.unknown).toBe(unknown);
    expect(d.note).not.toBe('');
  });
});
