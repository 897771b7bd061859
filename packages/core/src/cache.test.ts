import { describe, expect, it } from 'vitest';
import { TtlCache } from './cache.js';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('TtlCache', () => {
  it('returns a value until its TTL passes, then forgets it', () => {
    const c = clock();
    const cache = new TtlCache<string, number>({ ttlMs: 100, now: c.now });
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
    expect(cache.has('a')).toBe(true);
    c.advance(99);
    expect(cache.get('a')).toBe(1);
    c.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.has('a')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('accepts a per-entry TTL and a zero TTL never serves', () => {
    const c = clock();
    const cache = new TtlCache<string, string>({ ttlMs: 10, now: c.now });
    cache.set('long', 'x', 1_000).set('zero', 'y', 0);
    c.advance(500);
    expect(cache.get('long')).toBe('x');
    expect(cache.get('zero')).toBeUndefined();
  });

  it('stays within maxEntries, evicting expired entries first, then the least recently used', () => {
    const c = clock();
    const cache = new TtlCache<string, number>({ ttlMs: 100, maxEntries: 3, now: c.now });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('d', 4);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);

    cache.set('short', 5, 1);
    c.advance(1);
    // 'short' expired: the next insert drops it rather than a live entry.
    cache.set('e', 6);
    expect(cache.size).toBe(3);
    expect([cache.get('c'), cache.get('d'), cache.get('e')]).toEqual([3, 4, 6]);
  });

  it('delete, clear and prune', () => {
    const c = clock();
    const cache = new TtlCache<number, string>({ ttlMs: 5, now: c.now });
    cache.set(1, 'a').set(2, 'b').set(3, 'c', 50);
    expect(cache.delete(1)).toBe(true);
    expect(cache.delete(1)).toBe(false);
    c.advance(10);
    expect(cache.prune()).toBe(1);
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('keeps undefined-free semantics for falsy values', () => {
    const cache = new TtlCache<string, number | null>({ ttlMs: 10, now: () => 0 });
    cache.set('zero', 0).set('null', null);
    expect(cache.get('zero')).toBe(0);
    expect(cache.get('null')).toBeNull();
  });

  it('rejects nonsensical options', () => {
    expect(() => new TtlCache({ ttlMs: -1 })).toThrow(RangeError);
    expect(() => new TtlCache({ ttlMs: Number.NaN })).toThrow(RangeError);
    expect(() => new TtlCache({ ttlMs: 1, maxEntries: 0 })).toThrow(RangeError);
    expect(() => new TtlCache({ ttlMs: 1 }).set('a', 1, Infinity)).toThrow(RangeError);
  });
});
