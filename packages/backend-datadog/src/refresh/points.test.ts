import { describe, expect, it } from 'vitest';
import { freshSeries, noPointError, pickPoint, stalePointError } from './points.js';

const p = (value: number, t: number) => ({ value, timestamp: new Date(t) });

describe('pickPoint', () => {
  it('skips `offset` most recent valid points; fewer points than offset+1 serve the oldest; none is undefined', () => {
    const pts = [p(1, 1000), p(2, 2000), p(3, 3000)];
    expect(pickPoint(pts, 0)).toEqual(p(3, 3000));
    expect(pickPoint(pts, 1)).toEqual(p(2, 2000));
    expect(pickPoint(pts, 2)).toEqual(p(1, 1000));
    expect(pickPoint(pts, 5)).toEqual(p(1, 1000));
    expect(pickPoint([], 0)).toBeUndefined();
  });
});

describe('freshSeries', () => {
  it('measures age from the chosen point\'s timestamp and reports the youngest stale age', () => {
    const now = 1_000_000;
    const series = [
      { tags: ['a:1'], point: p(2, now - 10_000), points: [p(1, now - 130_000), p(2, now - 10_000)] },
      { tags: ['a:2'], point: p(5, now - 200_000), points: [p(5, now - 200_000)] },
      { tags: ['a:3'], point: p(6, now - 150_000), points: [p(6, now - 150_000)] },
    ];
    // Offset 1: series a:1 serves its 130 s old point, stale with maxAge 120 s.
    expect(freshSeries(series, 1, now, 120_000)).toEqual({ fresh: [], staleAgeMs: 130_000 });
    expect(freshSeries(series, 0, now, 120_000)).toEqual({ fresh: [{ tags: ['a:1'], point: p(2, now - 10_000) }], staleAgeMs: 150_000 });
    // Exactly maxAge old is still fresh.
    expect(freshSeries([series[2]], 0, now, 150_000)).toEqual({ fresh: [{ tags: ['a:3'], point: p(6, now - 150_000) }] });
  });
});

describe('noPointError and stalePointError', () => {
  it('no point is a 503 with a Retry-After that says no point was found, with advice that fits where the metric comes from', () => {
    const rule = noPointError('external metric depth', 300, 5);
    expect(rule.toStatus()).toMatchObject({ code: 503, reason: 'ServiceUnavailable', details: { retryAfterSeconds: 5 } });
    expect(rule.message).toBe(
      'no point found: Datadog has no point of external metric depth in the last 300s (the query matched no series, or only null points); ' +
        'check that the metric is reported with these tags, or set noDataValue on the rule to serve a value instead',
    );
    const convention = noPointError('external metric nginx.net.request_per_s', 300, 5, 'convention');
    expect(convention.code).toBe(503);
    expect(convention.message).toContain('the Cluster Agent naming convention serves no fallback value: declare an external rule for this metric with noDataValue');
    expect(convention.message).not.toContain('on the rule');
  });

  it('a stale point is a 503 whose advice also fits the convention', () => {
    expect(stalePointError('x', 200_000, 120_000, 5).message).toContain('raise maxAge, or set noDataValue on the rule');
    expect(stalePointError('x', 200_000, 120_000, 5, 'convention').message).toContain('raise maxAge, or the Cluster Agent naming convention serves no fallback value');
  });
});
