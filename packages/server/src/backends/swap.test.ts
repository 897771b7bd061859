import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { RegisteredBackend } from './registry.js';
import { SwappableRegistry } from './swap.js';

function backend(name: string, external: string[]): RegisteredBackend {
  return {
    name,
    type: 'test',
    lookupOnDemand: false,
    instance: { external: { listAllExternalMetrics: () => external.map((metric) => ({ metric })), getExternalMetric: async () => [] } },
  };
}

/** A response double: only `close` matters to the registry. */
const response = () => new EventEmitter() as EventEmitter & { once(event: 'close', listener: () => void): unknown };

describe('SwappableRegistry', () => {
  it('routes new lookups by the swapped-in table at once', () => {
    const r = new SwappableRegistry([backend('old', ['a'])]);
    expect(r.externalFor('a')?.backend.name).toBe('old');
    void r.swap(r.prepare([backend('new', ['b'])]));
    expect(r.externalFor('a')).toBeUndefined();
    expect(r.externalFor('b')?.backend.name).toBe('new');
    expect(r.backends.map((b) => b.name)).toEqual(['new']);
  });

  it('keeps a pinned request on the table it arrived on, and says when the old table is drained', async () => {
    const r = new SwappableRegistry([backend('old', ['a'])]);
    let release = () => {};
    const seen: Array<string | undefined> = [];
    const handler = r.pin(async (req: object) => {
      seen.push(r.forRequest(req).externalFor('a')?.backend.name);
      await new Promise<void>((resolve) => (release = resolve));
      seen.push(r.forRequest(req).externalFor('a')?.backend.name);
      // The registry itself routes by the current table.
      seen.push(r.externalFor('a')?.backend.name ?? 'none');
    });
    const request = handler({}, response()) as Promise<void>;
    expect(r.inflight).toBe(1);
    let drained = false;
    const done = r.swap(r.prepare([backend('new', ['b'])])).then(() => (drained = true));
    // A request arriving after the swap sees the new table.
    await (r.pin(async (req: object) => seen.push(r.forRequest(req).externalFor('b')?.backend.name))({}, response()) as Promise<unknown>);
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    release();
    await request;
    await done;
    expect(seen).toEqual(['old', 'new', 'old', 'none']);
    expect(drained).toBe(true);
    expect(r.inflight).toBe(0);
  });

  it('is drained at once when nothing is in flight; a synchronous handler leaves on close', async () => {
    const r = new SwappableRegistry([backend('old', ['a'])]);
    const res = response();
    r.pin(() => undefined)({}, res);
    let drained = false;
    const done = r.swap(r.prepare([])).then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    res.emit('close');
    await done;
    expect(drained).toBe(true);
    await r.swap(r.prepare([backend('x', [])]));
  });
});
