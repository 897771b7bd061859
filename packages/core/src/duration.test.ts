import { describe, expect, it } from 'vitest';
import { isConfigError } from './config-error.js';
import { DURATION_PATTERN, parseDuration, readDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['1d', 86_400_000],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1000000ns', 1],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
    expect(new RegExp(DURATION_PATTERN).test(text)).toBe(true);
  });

  it.each(['', '30', '-1s', '1x', 's', '1m 30s', '30S', '1.2.3s', ' 5s'])('refuses %j with a path-carrying ConfigError', (text) => {
    let err: unknown;
    try {
      parseDuration(text, 'rules[2].window');
    } catch (e) {
      err = e;
    }
    expect(isConfigError(err)).toBe(true);
    expect((err as Error).message).toMatch(/^rules\[2\]\.window: .* such as 30s, 1m30s or 500ms$/);
    expect(new RegExp(DURATION_PATTERN).test(text)).toBe(false);
  });
});

describe('readDuration', () => {
  it('returns undefined when neither the field nor an alias is set', () => {
    expect(readDuration({}, 'timeout', { aliases: [{ field: 'timeoutMs', unit: 'ms' }] })).toBeUndefined();
  });

  it('reads the duration field', () => {
    expect(readDuration({ timeout: '5s' }, 'timeout')).toBe(5000);
  });

  it('still accepts deprecated numeric aliases and reports them once each', () => {
    const warnings: string[] = [];
    expect(readDuration({ timeoutMs: 5000 }, 'timeout', { aliases: [{ field: 'timeoutMs', unit: 'ms' }], warn: (m) => warnings.push(m) })).toBe(5000);
    expect(readDuration({ maxAgeSeconds: 120 }, 'maxAge', { aliases: [{ field: 'maxAgeSeconds', unit: 's' }], warn: (m) => warnings.push(m) })).toBe(120_000);
    expect(warnings).toEqual(['timeoutMs is deprecated; write timeout: 5000ms instead', 'maxAgeSeconds is deprecated; write maxAge: 120s instead']);
  });

  it('refuses the field and its alias together, naming the alias path', () => {
    expect(() => readDuration({ timeout: '1s', timeoutMs: 5 }, 'timeout', { path: 'rules[0]', aliases: [{ field: 'timeoutMs', unit: 'ms' }] })).toThrow(
      'rules[0].timeoutMs: is a deprecated alias of timeout; set only timeout',
    );
  });

  it('enforces bounds at the path of the field that was used', () => {
    expect(() => readDuration({ timeout: '0' }, 'timeout', { minMs: 1 })).toThrow('timeout: must be at least 1ms');
    expect(() => readDuration({ timeoutMs: 700_000 }, 'timeout', { maxMs: 600_000, aliases: [{ field: 'timeoutMs', unit: 'ms' }] })).toThrow('timeoutMs: must be at most 600000ms');
  });
});
