// Writes samples in the shape of core's conformance kit into a MemoryStore.
import type { ConformanceData } from '@custom-metrics/core/testing';
import type { MemoryStore } from '../store.js';

/**
 * seedMemoryStore writes `data.custom` (one value per object and series labels) and
 * `data.external` (one value per series) into `store`, replacing values already there — the
 * `seed` of a conformance target, or test data for code served by a memory backend. Each custom
 * sample's `info.namespaced` decides the resource's scope when the store does not hold it yet.
 * @throws {RangeError} for a value that is not finite.
 */
export function seedMemoryStore(store: Pick<MemoryStore, 'setCustom' | 'setExternal'>, data: Pick<ConformanceData, 'custom' | 'external'>): void {
  for (const s of data.custom) {
    store.setCustom({
      groupResource: s.info.groupResource,
      namespace: s.object.namespace ?? '',
      name: s.object.name,
      metric: s.info.metric,
      value: s.value,
      labels: { ...s.labels },
      namespaced: s.info.namespaced,
    });
  }
  for (const e of data.external) store.setExternal(e.metric, { ...e.labels }, e.value);
}
