import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
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

  it('evicts exactly as a least-recently-used list with expiry would, whatever the order of sets, hits, deletes and clears', () => {
    // The model: an array, most recently used last; a hit moves its entry to the end.
    type Op = { op: 'set' | 'get' | 'delete'; key: number; ttl?: number } | { op: 'clear' } | { op: 'tick'; ms: number };
    const key = fc.integer({ min: 0, max: 5 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key, ttl: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }) }),
      fc.record({ op: fc.constant('get' as const), key }),
      fc.record({ op: fc.constant('get' as const), key }),
      fc.record({ op: fc.constant('delete' as const), key }),
      fc.record({ op: fc.constant('clear' as const) }),
      fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 10 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
        const c = clock();
        const cache = new TtlCache<number, number>({ ttlMs: 20, maxEntries: max, now: c.now });
        let model: { key: number; value: number; expiresAt: number }[] = [];
        let n = 0;
        for (const o of ops) {
          if (o.op === 'tick') c.advance(o.ms);
          else if (o.op === 'clear') {
            cache.clear();
            model = [];
          } else if (o.op === 'delete') {
            expect(cache.delete(o.key)).toBe(model.some((e) => e.key === o.key));
            model = model.filter((e) => e.key !== o.key);
          } else if (o.op === 'set') {
            const value = n++;
            cache.set(o.key, value, o.ttl);
            model = model.filter((e) => e.key !== o.key);
            model.push({ key: o.key, value, expiresAt: c.now() + (o.ttl ?? 20) });
            if (model.length > max) model = model.filter((e) => c.now() < e.expiresAt);
            while (model.length > max) model.shift();
          } else {
            const i = model.findIndex((e) => e.key === o.key);
            const e = model[i];
            const live = e !== undefined && c.now() < e.expiresAt;
            expect(cache.get(o.key)).toBe(live ? e.value : undefined);
            if (e !== undefined) model.splice(i, 1);
            if (live) model.push(e);
          }
        }
        for (const e of model) expect(cache.has(e.key)).toBe(c.now() < e.expiresAt);
        expect(cache.size).toBe(model.filter((e) => c.now() < e.expiresAt).length);
      }),
      { numRuns: 500 },
    );
  });
});
