import { describe, expect, it } from 'vitest';
import { RequestCoalescer } from './coalesce.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A controllable loader that records its calls and the signal each received. */
function loader<T>() {
  const calls: Array<{ signal: AbortSignal; d: ReturnType<typeof deferred<T>> }> = [];
  const fn = (signal: AbortSignal) => {
    const d = deferred<T>();
    calls.push({ signal, d });
    return d.promise;
  };
  return { fn, calls };
}

describe('RequestCoalescer', () => {
  it('shares one in-flight call among concurrent callers of the same key', async () => {
    const co = new RequestCoalescer<string, number>();
    const l = loader<number>();
    const p1 = co.run('k', l.fn);
    const p2 = co.run('k', l.fn);
    const other = co.run('other', l.fn);
    expect(l.calls).toHaveLength(2);
    expect(co.size).toBe(2);
    l.calls[0].d.resolve(42);
    l.calls[1].d.resolve(7);
    expect(await Promise.all([p1, p2, other])).toEqual([42, 42, 7]);
    expect(co.size).toBe(0);
  });

  it('does not remember a failure after the call: the next run calls again', async () => {
    const co = new RequestCoalescer<string, number>();
    const l = loader<number>();
    const p1 = co.run('k', l.fn);
    const p2 = co.run('k', l.fn);
    l.calls[0].d.reject(new Error('backend down'));
    await expect(p1).rejects.toThrow('backend down');
    await expect(p2).rejects.toThrow('backend down');
    const p3 = co.run('k', l.fn);
    expect(l.calls).toHaveLength(2);
    l.calls[1].d.resolve(1);
    await expect(p3).resolves.toBe(1);
  });

  it('turns a synchronous throw of fn into a rejection', async () => {
    const co = new RequestCoalescer<string, number>();
    await expect(
      co.run('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(co.size).toBe(0);
  });

  it("rejects only the caller whose own signal aborted; the shared call continues for the others", async () => {
    const co = new RequestCoalescer<string, number>();
    const l = loader<number>();
    const a = new AbortController();
    const b = new AbortController();
    const pa = co.run('k', l.fn, a.signal);
    const pb = co.run('k', l.fn, b.signal);
    a.abort();
    await expect(pa).rejects.toMatchObject({ name: 'AbortError' });
    expect(l.calls[0].signal.aborted).toBe(false);
    l.calls[0].d.resolve(5);
    await expect(pb).resolves.toBe(5);
  });

  it('aborts the shared call only when every waiting caller aborted', async () => {
    const co = new RequestCoalescer<string, number>();
    const l = loader<number>();
    const a = new AbortController();
    const b = new AbortController();
    const pa = co.run('k', l.fn, a.signal);
    const pb = co.run('k', l.fn, b.signal);
    a.abort(new Error('client A went away'));
    expect(l.calls[0].signal.aborted).toBe(false);
    b.abort(new Error('client B went away'));
    expect(l.calls[0].signal.aborted).toBe(true);
    await expect(pa).rejects.toThrow('client A went away');
    await expect(pb).rejects.toThrow('client B went away');
    // The aborted call is no longer joinable: a new caller starts a fresh one.
    const pc = co.run('k', l.fn);
    expect(l.calls).toHaveLength(2);
    l.calls[0].d.reject(l.calls[0].signal.reason);
    l.calls[1].d.resolve(9);
    await expect(pc).resolves.toBe(9);
  });

  it('a caller without a signal keeps the shared call alive', async () => {
    const co = new RequestCoalescer<string, number>();
    const l = loader<number>();
    const a = new AbortController();
    const pa = co.run('k', l.fn, a.signal);
    const pNoSignal = co.run('k', l.fn);
    a.abort();
    await expect(pa).rejects.toMatchObject({ name: 'AbortError' });
    expect(l.calls[0].signal.aborted).toBe(false);
    l.calls[0].d.resolve(3);
    await expect(pNoSignal).resolves.toBe(3);
  });

  it('rejects at once for an already-aborted signal without calling fn', async () => {
    const co = new RequestCoalescer<string, number>();
    const l = loader<number>();
    await expect(co.run('k', l.fn, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(l.calls).toHaveLength(0);
    expect(co.size).toBe(0);
  });
});
