import { describe, expect, it } from 'vitest';
import { CachingLoader } from './cache-loader.js';

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('CachingLoader', () => {
  it('serves a fresh value from the cache without calling the loader', async () => {
    const c = clock();
    const loader = new CachingLoader<string, number>({ ttlMs: 100, now: c.now });
    let calls = 0;
    const fn = async () => ++calls;
    expect(await loader.load('k', fn)).toEqual({ value: 1, stale: false });
    c.advance(99);
    expect(await loader.load('k', fn)).toEqual({ value: 1, stale: false });
    c.advance(1);
    expect(await loader.load('k', fn)).toEqual({ value: 2, stale: false });
    expect(calls).toBe(2);
  });

  it('coalesces concurrent loads of one key', async () => {
    const loader = new CachingLoader<string, string>({ ttlMs: 100, now: () => 0 });
    let calls = 0;
    let release!: (v: string) => void;
    const fn = () => {
      calls++;
      return new Promise<string>((r) => (release = r));
    };
    const p1 = loader.load('k', fn);
    const p2 = loader.load('k', fn);
    await Promise.resolve();
    release('v');
    expect(await Promise.all([p1, p2])).toEqual([
      { value: 'v', stale: false },
      { value: 'v', stale: false },
    ]);
    expect(calls).toBe(1);
  });

  it('does not cache a failure, and without staleMs rethrows it', async () => {
    const c = clock();
    const loader = new CachingLoader<string, number>({ ttlMs: 10, now: c.now });
    await loader.load('k', async () => 1);
    c.advance(10);
    await expect(loader.load('k', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await loader.load('k', async () => 2)).toEqual({ value: 2, stale: false });
  });

  it('serves the last value as stale on failure, only within ttlMs + staleMs', async () => {
    const c = clock();
    const loader = new CachingLoader<string, number>({ ttlMs: 10, staleMs: 50, now: c.now });
    const fail = async (): Promise<number> => {
      throw new Error('down');
    };
    await loader.load('k', async () => 1);
    c.advance(30);
    expect(await loader.load('k', fail)).toEqual({ value: 1, stale: true });
    c.advance(29); // 59 ms after the load: still inside 10 + 50
    expect(await loader.load('k', fail)).toEqual({ value: 1, stale: true });
    c.advance(1); // 60 ms: past the bound
    await expect(loader.load('k', fail)).rejects.toThrow('down');
  });

  it('honours serveStaleOn and never serves stale to a caller that aborted', async () => {
    const c = clock();
    const loader = new CachingLoader<string, number>({
      ttlMs: 10,
      staleMs: 100,
      now: c.now,
      serveStaleOn: (e) => !(e instanceof Error && e.message === 'not found'),
    });
    await loader.load('k', async () => 1);
    c.advance(20);
    await expect(loader.load('k', async () => Promise.reject(new Error('not found')))).rejects.toThrow('not found');
    const ac = new AbortController();
    const p = loader.load('k', (signal) => new Promise<number>((_, rej) => signal.addEventListener('abort', () => rej(signal.reason))), ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await expect(loader.load('k', async () => 5, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('invalidate and clear forget values', async () => {
    const loader = new CachingLoader<string, number>({ ttlMs: 1_000, now: () => 0 });
    await loader.load('a', async () => 1);
    await loader.load('b', async () => 2);
    expect(loader.size).toBe(2);
    loader.invalidate('a');
    expect(await loader.load('a', async () => 3)).toEqual({ value: 3, stale: false });
    loader.clear();
    expect(loader.size).toBe(0);
  });
});
