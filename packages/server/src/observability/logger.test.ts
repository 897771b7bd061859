import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, isoTimestamp } from './logger.js';

describe('isoTimestamp', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes what pino.stdTimeFunctions.isoTime writes, within a second and across seconds', () => {
    vi.useFakeTimers();
    for (const t of [0, 1, 9, 10, 99, 100, 999, 1000, 1_764_567_984_005, 1_764_567_984_050, 1_764_567_984_123, 1_764_567_985_000, 1_764_567_984_999]) {
      vi.setSystemTime(t);
      expect(isoTimestamp(), String(t)).toBe(`,"time":"${new Date(t).toISOString()}"`);
    }
  });

  it('is the time field of the log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const before = Date.now();
    createLogger('info', sink as unknown as Parameters<typeof createLogger>[1]).info({ a: 1 }, 'hello');
    const line = JSON.parse(lines[0]) as { time: string; msg: string };
    expect(line.msg).toBe('hello');
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(line.time)).toBeGreaterThanOrEqual(before);
  });
});
