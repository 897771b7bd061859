import { describe, expect, it } from 'vitest';
import type { BackendInstance, CustomMetricInfo } from '@custom-metrics/core';
import { isConfigError } from '../config/config-error.js';
import { BackendRegistry, type RegisteredBackend } from './registry.js';

const info = (resource: string, metric: string): CustomMetricInfo => ({ groupResource: { group: '', resource }, namespaced: true, metric });

function backend(name: string, metrics: CustomMetricInfo[], external: string[] = [], extra: Partial<RegisteredBackend> = {}, resource = false): RegisteredBackend {
  const instance: BackendInstance = {
    custom: { listAllMetrics: () => metrics, getMetricByName: async () => Promise.reject(new Error('x')), getMetricBySelector: async () => [] },
    external: { listAllExternalMetrics: () => external.map((metric) => ({ metric })), getExternalMetric: async () => [] },
    ...(resource ? { resource: { getPodMetrics: async () => [], getNodeMetrics: async () => [] } } : {}),
  };
  return { name, type: 'test', lookupOnDemand: false, instance, ...extra };
}

describe('BackendRegistry', () => {
  it('routes each metric to the instance listing it; external names case-insensitively', () => {
    const a = backend('a', [info('pods', 'x')], ['Queue']);
    const b = backend('b', [info('pods', 'y')]);
    const r = new BackendRegistry([a, b]);
    r.checkConflicts();
    expect(r.customFor({ group: '', resource: 'pods' }, 'x')?.backend.name).toBe('a');
    expect(r.customFor({ group: '', resource: 'pods' }, 'y')?.backend.name).toBe('b');
    expect(r.customFor({ group: '', resource: 'pods' }, 'z')).toBeUndefined();
    expect(r.externalFor('queue')?.backend.name).toBe('a');
    expect(r.customMetrics()).toHaveLength(2);
  });

  it('reports the instances still pending per API, with their reasons', () => {
    const a = backend('a', []);
    let reason: string | undefined = 'first discovery failed';
    const pendingB = backend('b', []);
    const b: RegisteredBackend = { ...pendingB, instance: { custom: pendingB.instance.custom, pending: () => reason } };
    const r = new BackendRegistry([a, b]);
    expect(r.pending('custom')).toEqual([{ name: 'b', reason: 'first discovery failed' }]);
    // b offers no external provider: it cannot hold back external metrics.
    expect(r.pending('external')).toEqual([]);
    reason = undefined;
    expect(r.pending('custom')).toEqual([]);
  });

  it('refuses the same metric in two instances, naming both and the metric', () => {
    const r = new BackendRegistry([backend('prom', [info('pods', 'x')]), backend('dd', [info('pods', 'x')])]);
    let message = '';
    try {
      r.checkConflicts();
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      message = (e as Error).message;
    }
    expect(message).toContain('"pods/x"');
    expect(message).toContain('"prom"');
    expect(message).toContain('"dd"');
  });

  it('lets priority decide', () => {
    const r = new BackendRegistry([backend('low', [info('pods', 'x')], ['q']), backend('high', [info('pods', 'x')], ['Q'], { priority: 5 })]);
    r.checkConflicts();
    expect(r.customFor({ group: '', resource: 'pods' }, 'x')?.backend.name).toBe('high');
    expect(r.externalFor('q')?.backend.name).toBe('high');
  });

  it('refuses two resource-metrics instances of equal priority, and orders on-demand instances by priority', () => {
    expect(() => new BackendRegistry([backend('a', [], [], {}, true), backend('b', [], [], {}, true)]).checkConflicts()).toThrow(/resource metrics/);
    const r = new BackendRegistry([backend('a', [], [], { lookupOnDemand: true }), backend('b', [], [], { lookupOnDemand: true, priority: 3 }), backend('c', [])]);
    expect(r.onDemandCustom().map((x) => x.backend.name)).toEqual(['b', 'a']);
  });
});
