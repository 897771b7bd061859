import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boundedChunks, checkDeclaredLength, isMetricsError, isResponseTooLargeError, readBounded, readBoundedText, ResponseTooLargeError } from './index.js';

async function* chunksOf(parts: Array<Uint8Array | string>, onReturn?: () => void): AsyncGenerator<Uint8Array | string> {
  try {
    for (const p of parts) yield p;
  } finally {
    onReturn?.();
  }
}

describe('bounded backend answers', () => {
  it('reads an answer up to the limit exactly, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 16 }), async (parts) => {
        const total = parts.reduce((n, p) => n + p.byteLength, 0);
        const all = await readBounded(chunksOf(parts), total);
        expect([...all]).toEqual(parts.flatMap((p) => [...p]));
        if (total > 0) await expect(readBounded(chunksOf(parts), total - 1)).rejects.toBeInstanceOf(ResponseTooLargeError);
      }),
    );
  });

  it('stops reading (and returns the source) as soon as the limit is passed', async () => {
    let returned = false;
    let produced = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          produced++;
          yield new Uint8Array(1024);
        }
      } finally {
        returned = true;
      }
    }
    const err = await readBounded(endless(), 10 * 1024).catch((e: unknown) => e);
    expect(isResponseTooLargeError(err)).toBe(true);
    expect(isMetricsError(err)).toBe(true);
    expect(err).toMatchObject({ code: 503, reason: 'ServiceUnavailable', limitBytes: 10240 });
    expect((err as Error).message).toContain('maxResponseBytes (10240 bytes)');
    expect(produced).toBe(11);
    expect(returned).toBe(true);
  });

  it('counts string chunks as UTF-8 and decodes text', async () => {
    expect(await readBoundedText(chunksOf(['hé', new TextEncoder().encode('llo')]), 6)).toBe('héllo');
    await expect(readBoundedText(chunksOf(['hé', 'llo']), 5)).rejects.toMatchObject({ code: 503 });
    const seen: Array<Uint8Array | string> = [];
    for await (const c of boundedChunks(chunksOf(['a', 'b']), 2)) seen.push(c);
    expect(seen).toEqual(['a', 'b']);
  });

  it('refuses a declared Content-Length past the limit before reading', () => {
    expect(() => checkDeclaredLength('1000', 999)).toThrow(ResponseTooLargeError);
    expect(() => checkDeclaredLength('999', 999)).not.toThrow();
    expect(() => checkDeclaredLength(null, 1)).not.toThrow();
    expect(() => checkDeclaredLength('garbage', 1)).not.toThrow();
  });
});
