import { describe, expect, it } from 'vitest';
import { pauseMs, parseRateLimit } from './rate-limit.js';
import { backoffDelay, isRetryableStatus } from './backoff.js';

describe('parseRateLimit', () => {
  it('reads all five headers', () => {
    expect(
      parseRateLimit({
        'x-ratelimit-limit': '1600',
        'x-ratelimit-period': '3600',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '42',
        'x-ratelimit-name': 'metrics_query',
      }),
    ).toEqual({ limit: 1600, periodSeconds: 3600, remaining: 0, resetSeconds: 42, name: 'metrics_query' });
  });
  it('ignores missing and malformed headers', () => {
    expect(parseRateLimit({ 'x-ratelimit-remaining': 'abc', 'x-ratelimit-reset': '-1' })).toEqual({});
  });
});

describe('pauseMs', () => {
  it('pauses until the reset when the budget is exhausted', () => expect(pauseMs({ remaining: 0, resetSeconds: 7 }, 200)).toBe(7000));
  it('pauses until the reset on 429', () => expect(pauseMs({ remaining: 3, resetSeconds: 2 }, 429)).toBe(2000));
  it('does not pause while budget remains', () => expect(pauseMs({ remaining: 5, resetSeconds: 9 }, 200)).toBe(0));
});

describe('backoffDelay', () => {
  const opts = { initialDelayMs: 100, maxDelayMs: 1000 };
  it('doubles per attempt within the upper half of the step', () => {
    expect(backoffDelay(1, opts, () => 0)).toBe(50);
    expect(backoffDelay(1, opts, () => 0.999999)).toBe(100);
    expect(backoffDelay(3, opts, () => 0)).toBe(200);
  });
  it('is bounded by maxDelayMs whatever the attempt', () => {
    for (let a = 1; a < 40; a++) expect(backoffDelay(a, opts, Math.random)).toBeLessThanOrEqual(1000);
  });
  it('retries 429, 5xx and network errors only', () => {
    expect([0, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404].some(isRetryableStatus)).toBe(false);
  });
});
