import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue, RequestCancellation } from './deadline.js';

describe('DeadlineQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires each pending deadline after its duration, in order, and none that settled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const q = new DeadlineQueue(100);
    const expired: string[] = [];
    const a = q.add(() => expired.push('a'));
    vi.advanceTimersByTime(30);
    const b = q.add(() => expired.push('b'));
    vi.advanceTimersByTime(30);
    q.add(() => expired.push('c'));
    q.settle(b);
    vi.advanceTimersByTime(39);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(expired).toEqual(['a']);
    q.settle(a); // settling an expired entry changes nothing
    vi.advanceTimersByTime(58); // b (settled) would have expired at 130, c expires at 160
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(2);
    expect(expired).toEqual(['a', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps nothing of a settled request while an earlier one is still pending', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const q = new DeadlineQueue(60_000);
    // A long request at the head of the queue: the entries behind it settle first (steady load).
    const head = q.add(() => undefined);
    const refs: Array<WeakRef<object>> = [];
    for (let i = 0; i < 100; i++) {
      const request = { body: new Array(1000).fill(i) };
      refs.push(new WeakRef(request));
      q.settle(q.add(() => void request.body));
    }
    await new Promise((r) => setImmediate(r));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    q.settle(head);
  });

  it('runs one timer, which stops once nothing is pending, and starts again for a new deadline', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const q = new DeadlineQueue(50);
    const entries = Array.from({ length: 3000 }, () => q.add(() => expect.unreachable()));
    expect(vi.getTimerCount()).toBe(1);
    for (const e of entries.reverse()) q.settle(e);
    vi.advanceTimersByTime(10);
    // A deadline set while the (now idle) timer is armed reuses it, and re-arms for its own time.
    let fired = 0;
    q.add(() => fired++);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(40);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(10);
    expect(fired).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the order when requests finish out of order under load', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const q = new DeadlineQueue(10);
    const fired: number[] = [];
    const entries = Array.from({ length: 5000 }, (_, i) => q.add(() => fired.push(i)));
    for (let i = 0; i < entries.length; i += 2) q.settle(entries[i]);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(Array.from({ length: 2500 }, (_, i) => 2 * i + 1));
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('RequestCancellation', () => {
  it('gives a signal that follows the cancellation whether it was read before or after the abort', () => {
    const reason = new DOMException('gone', 'AbortError');
    const early = new RequestCancellation();
    const signal = early.signal;
    expect(early.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    early.abort(reason);
    early.abort(new Error('a later reason does not replace the first'));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(() => early.throwIfAborted()).toThrow(reason);

    const late = new RequestCancellation();
    expect(late.aborted).toBe(false);
    expect(() => late.throwIfAborted()).not.toThrow();
    late.abort(reason);
    expect(late.aborted).toBe(true);
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe(reason);
    expect(() => late.signal.throwIfAborted()).toThrow(reason);
  });
});
