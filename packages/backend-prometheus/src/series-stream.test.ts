import { describe, expect, it } from 'vitest';
import { parseSeriesStream } from './series-stream.js';

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

describe('parseSeriesStream', () => {
  const series = [
    { __name__: 'a', pod: 'x{y}', ns: 'q"u\\o[t]e' },
    { __name__: 'b', label: 'ü😀' },
    { __name__: 'c' },
  ];
  const body = JSON.stringify({ status: 'success', data: series, warnings: ['w{'] });

  it.each([1, 3, 7, 64, 100_000])('emits each series whatever the chunk size (%i bytes)', async (size) => {
    const got: Array<Record<string, string>> = [];
    expect(await parseSeriesStream(chunks(body, size), (s) => got.push(s))).toBe(3);
    expect(got).toEqual(series);
  });

  it('accepts an empty data array and rejects a non-series body or truncation', async () => {
    expect(await parseSeriesStream(chunks('{"status":"success","data":[]}', 5), () => undefined)).toBe(0);
    await expect(parseSeriesStream(chunks('{"status":"error","error":"x"}', 5), () => undefined)).rejects.toThrow(/no data array/);
    await expect(parseSeriesStream(chunks(body.slice(0, 40), 5), () => undefined)).rejects.toThrow(/truncated/);
  });
});
