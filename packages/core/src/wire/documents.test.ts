import { describe, expect, it } from 'vitest';
import type { MetricValue } from '../model.js';
import { renderMetricValueList } from './custom.js';
import { renderExternalMetricValueList } from './external.js';
import { encodeJSON } from './json.js';
import { renderNodeMetrics, renderPodMetricsList } from './resource.js';

const ts = new Date(Date.UTC(2026, 0, 15, 10, 20, 30));

const value = (over: Partial<MetricValue> = {}): MetricValue => ({
  describedObject: { kind: 'Pod', namespace: 'ns', name: 'p', apiVersion: '/v1' },
  metric: { name: 'm', selector: null },
  timestamp: ts,
  value: 1,
  ...over,
});

describe('MetricValueList', () => {
  it('renders match expressions and windows per version', () => {
    const v = value({
      windowSeconds: 30,
      metric: { name: 'm', selector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['x', 'y'] }, { key: 'b', operator: 'Exists' }] } },
    });
    const sel = '{"matchExpressions":[{"key":"a","operator":"In","values":["x","y"]},{"key":"b","operator":"Exists"}]}';
    expect(encodeJSON(renderMetricValueList('v1beta1', [v]).items[0])).toBe(
      `{"describedObject":{"kind":"Pod","namespace":"ns","name":"p","apiVersion":"/v1"},"metricName":"m","timestamp":"2026-01-15T10:20:30Z","window":30,"value":"1","selector":${sel}}\n`,
    );
    expect(encodeJSON(renderMetricValueList('v1beta2', [v]).items[0])).toBe(
      `{"describedObject":{"kind":"Pod","namespace":"ns","name":"p","apiVersion":"/v1"},"metric":{"name":"m","selector":${sel}},"timestamp":"2026-01-15T10:20:30Z","windowSeconds":30,"value":"1"}\n`,
    );
  });

  it('omits empty ObjectReference fields and refuses non-finite values', () => {
    const v = value({ describedObject: { kind: 'Namespace', name: 'ns', apiVersion: '/v1', namespace: '', uid: 'u-1' } });
    expect(encodeJSON(renderMetricValueList('v1beta2', [v]).items[0].describedObject)).toBe(
      '{"kind":"Namespace","name":"ns","uid":"u-1","apiVersion":"/v1"}\n',
    );
    expect(() => renderMetricValueList('v1beta1', [value({ value: NaN })])).toThrow(RangeError);
  });
});

describe('ExternalMetricValueList', () => {
  it('writes metricLabels null and sorts labels', () => {
    const out = renderExternalMetricValueList([
      { metricName: 'a', metricLabels: null, timestamp: ts, value: 0.5, windowSeconds: 60 },
      { metricName: 'b', metricLabels: { z: '1', '2': 'x', a: '<' }, timestamp: ts, value: 2 },
    ]);
    expect(encodeJSON(out)).toBe(
      '{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[{"metricName":"a","metricLabels":null,"timestamp":"2026-01-15T10:20:30Z","window":60,"value":"500m"},{"metricName":"b","metricLabels":{"2":"x","a":"\\u003c","z":"1"},"timestamp":"2026-01-15T10:20:30Z","value":"2"}]}\n',
    );
  });
});

describe('metrics.k8s.io', () => {
  it('omits creationTimestamp and labels when absent and writes containers: [] when empty', () => {
    const out = renderPodMetricsList([{ metadata: { name: 'p', namespace: 'ns' }, timestamp: ts, windowSeconds: 15, containers: [] }]);
    expect(encodeJSON(out)).toBe(
      '{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[{"metadata":{"name":"p","namespace":"ns"},"timestamp":"2026-01-15T10:20:30Z","window":"15s","containers":[]}]}\n',
    );
  });

  it('renders a single NodeMetrics with kind and apiVersion', () => {
    const out = renderNodeMetrics({ metadata: { name: 'n' }, timestamp: ts, windowSeconds: 10.5, usage: { cpu: 1.5, memory: 2 ** 30 } });
    expect(encodeJSON(out)).toBe(
      '{"kind":"NodeMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"n"},"timestamp":"2026-01-15T10:20:30Z","window":"10.5s","usage":{"cpu":"1500m","memory":"1Gi"}}\n',
    );
  });
});
