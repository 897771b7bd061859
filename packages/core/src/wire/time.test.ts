import { describe, expect, it } from 'vitest';
import { formatGoDuration, formatKubeTime } from './time.js';

describe('formatKubeTime', () => {
  it('writes RFC 3339 UTC seconds and truncates sub-seconds', () => {
    expect(formatKubeTime(new Date(Date.UTC(2026, 0, 15, 10, 20, 30, 999)))).toBe('2026-01-15T10:20:30Z');
    expect(formatKubeTime(new Date('2026-01-15T12:20:30.5+02:00'))).toBe('2026-01-15T10:20:30Z');
    expect(formatKubeTime(new Date(-1))).toBe('1969-12-31T23:59:59Z');
  });
  it('rejects invalid dates and years Go cannot marshal', () => {
    expect(() => formatKubeTime(new Date(NaN))).toThrow(RangeError);
    expect(() => formatKubeTime(new Date(Date.UTC(10000, 0, 1)))).toThrow(RangeError);
  });
});

describe('formatGoDuration (time.Duration.String)', () => {
  // contract §2.1 examples
  it.each([
    [0, '0s'],
    [15, '15s'],
    [15.036, '15.036s'],
    [60, '1m0s'],
    [90, '1m30s'],
    [3600, '1h0m0s'],
    [3661.5, '1h1m1.5s'],
    [0.5, '500ms'],
    [0.0015, '1.5ms'],
    [0.0000015, '1.5µs'],
    [1e-9, '1ns'],
    [20.027, '20.027s'],
    [-90, '-1m30s'],
    [100 * 3600, '100h0m0s'],
  ])('%d s → %s', (s, text) => {
    expect(formatGoDuration(s)).toBe(text);
  });
  it('rejects values Go cannot hold', () => {
    expect(() => formatGoDuration(NaN)).toThrow(RangeError);
    expect(() => formatGoDuration(1e10)).toThrow(RangeError);
  });
});
