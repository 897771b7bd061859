import { describe, expect, it } from 'vitest';
import type { CustomMetricInfo } from '../model.js';
import { convertResourceList, renderAggregatedDiscovery } from './discovery-aggregated.js';
import {
  customMetricsResourceList,
  externalMetricsResourceList,
  renderAPIGroup,
  renderAPIGroupList,
  resolveNamespaced,
} from './discovery.js';
import { encodeJSON } from './json.js';

const info = (resource: string, namespaced: boolean, metric: string, group = ''): CustomMetricInfo => ({
  groupResource: { group, resource },
  namespaced,
  metric,
});

describe('customMetricsResourceList', () => {
  it('forces namespaces, nodes and persistentvolumes to cluster scope', () => {
    const list = customMetricsResourceList('v1beta1', [
      info('namespaces', true, 'a'),
      info('nodes', true, 'b'),
      info('persistentvolumes', true, 'c'),
      info('nodes', true, 'd', 'example.com'), // not the core group: left alone
    ]);
    expect(list.resources.map((r) => [r.name, r.namespaced])).toEqual([
      ['namespaces/a', false],
      ['nodes/b', false],
      ['persistentvolumes/c', false],
      ['nodes.example.com/d', true],
    ]);
  });

  it('makes the flag consistent per resource: namespaced wins, whatever the order', () => {
    const a = [info('widgets', false, 'x', 'ex.io'), info('widgets', true, 'y', 'ex.io')];
    for (const infos of [a, [...a].reverse()]) {
      const list = customMetricsResourceList('v1beta2', infos);
      expect(list.resources.every((r) => r.namespaced)).toBe(true);
    }
    expect(resolveNamespaced([info('pods', false, 'x')]).get('pods')).toBe(false);
  });

  it('drops duplicate resource/metric pairs and keeps order', () => {
    const list = customMetricsResourceList('v1beta1', [info('pods', true, 'b'), info('pods', true, 'a'), info('pods', true, 'b')]);
    expect(list.resources.map((r) => r.name)).toEqual(['pods/b', 'pods/a']);
  });

  it('converts to aggregated discovery without scope conflicts', () => {
    const infos = [info('widgets', false, 'x', 'ex.io'), info('widgets', true, 'y', 'ex.io'), info('nodes', true, 'z')];
    expect(() => convertResourceList(customMetricsResourceList('v1beta1', infos).resources)).not.toThrow();
  });
});

describe('externalMetricsResourceList', () => {
  it('dedupes names case-insensitively, keeping the first spelling', () => {
    const list = externalMetricsResourceList([{ metric: 'Queue' }, { metric: 'queue' }, { metric: 'other' }]);
    expect(list.resources.map((r) => r.name)).toEqual(['Queue', 'other']);
    expect(list.resources[0]).toEqual({ name: 'Queue', singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] });
  });
});

describe('convertResourceList (kube-aggregator ConvertGroupVersionIntoToDiscovery)', () => {
  it('attaches subresources to a real parent and reports scope conflicts with the upstream message', () => {
    const out = convertResourceList([
      { name: 'pods/cpu', singularName: '', namespaced: true, kind: 'MetricValueList', verbs: ['get'] },
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ]);
    expect(encodeJSON(out)).toBe(
      '[{"resource":"pods","responseKind":{"group":"","version":"","kind":"PodMetrics"},"scope":"Namespaced","singularResource":"pod","verbs":["get","list"],"subresources":[{"subresource":"cpu","responseKind":{"group":"","version":"","kind":"MetricValueList"},"verbs":["get"]}]}]\n',
    );
    expect(() =>
      convertResourceList([
        { name: 'x/a', singularName: '', namespaced: true, kind: 'K', verbs: ['get'] },
        { name: 'x/b', singularName: '', namespaced: false, kind: 'K', verbs: ['get'] },
      ]),
    ).toThrow('Error: Parent x (scope: Namespaced) and subresource b (scope: Cluster) scope do not match');
  });

  it('omits resources for an empty version', () => {
    const doc = renderAggregatedDiscovery([[customMetricsResourceList('v1beta1', [])]]);
    expect(encodeJSON(doc)).toBe(
      '{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":[{"metadata":{"name":"custom.metrics.k8s.io"},"versions":[{"version":"v1beta1","freshness":"Current"}]}]}\n',
    );
    expect(renderAggregatedDiscovery([[]]).items).toEqual([]);
  });
});

describe('APIGroup documents', () => {
  it('prefers the first version and omits empty serverAddressByClientCIDRs', () => {
    expect(encodeJSON(renderAPIGroup({ name: 'g.io', versions: ['v2', 'v1'], serverAddressByClientCIDRs: [] }))).toBe(
      '{"kind":"APIGroup","apiVersion":"v1","name":"g.io","versions":[{"groupVersion":"g.io/v2","version":"v2"},{"groupVersion":"g.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"g.io/v2","version":"v2"}}\n',
    );
    expect(encodeJSON(renderAPIGroupList([]))).toBe('{"kind":"APIGroupList","apiVersion":"v1","groups":[]}\n');
  });
});
