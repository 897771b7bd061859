// Core's provider conformance kit against the memory backend, built by its factory and seeded
// through its store (seedMemoryStore from ./testing). No binary is involved: the store is the
// metrics system. The failing target is a cluster view that cannot be read (informers not
// synced, kube-apiserver unreachable): core's `unreachable` failure, a 503.
import { describe, it } from 'vitest';
import { customProviderConformance, externalProviderConformance, FakeKubeLookup } from '@custom-metrics/core/testing';
import { seedMemoryStore } from '@custom-metrics/backend-memory/testing';
import { createMemoryBackend } from '../src/index.js';

/** A cluster view whose every read fails, as an unsynced informer or an unreachable kube-apiserver does. */
class UnreachableKubeLookup extends FakeKubeLookup {
  override async listObjects(): Promise<never> {
    throw new Error('informer not synced: connection refused');
  }
  override async getObject(): Promise<never> {
    throw new Error('informer not synced: connection refused');
  }
  override async kindFor(): Promise<never> {
    throw new Error('informer not synced: connection refused');
  }
}

describe('custom metrics conformance (memory store)', () => {
  for (const c of customProviderConformance(async ({ context, data }) => {
    const instance = createMemoryBackend(context, {}, { now: () => data.timestamp });
    return {
      provider: instance.custom!,
      seed: (d) => seedMemoryStore(instance.store, d),
      failing: {
        unreachable: () => {
          const broken = createMemoryBackend({ ...context, kube: new UnreachableKubeLookup() }, {});
          seedMemoryStore(broken.store, data);
          return broken.custom!;
        },
      },
    };
  })) {
    it(c.name, c.run);
  }
});

describe('external metrics conformance (memory store)', () => {
  for (const c of externalProviderConformance(async ({ context, data }) => {
    const instance = createMemoryBackend(context, {}, { now: () => data.timestamp });
    return { provider: instance.external!, seed: (d) => seedMemoryStore(instance.store, d) };
  })) {
    it(c.name, c.run);
  }
});
