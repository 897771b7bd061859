import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetricsObjectMeta, NodeMetrics, PodMetrics } from '../model.js';
import { encodeJSON } from './json.js';
import { encodeNodeMetricsList, encodePodMetricsList, renderNodeMetricsList, renderPodMetricsList } from './resource.js';

/** What a call answers: its text, or its error's class and message. */
function outcome(f: () => string): string {
  try {
    return `ok ${f()}`;
  } catch (e) {
    return `throws ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

const tricky = fc.constantFrom('a', '0', '-', '<', '>', '&', '"', '\\', '\n', '\u0001', '\u2028', '\ud800', '\udc00', '\ud83d\ude00', 'é', 'µ');
const text = fc.oneof(fc.constantFrom('', 'web-0', 'kube-system', '10', '__proto__'), fc.array(tricky, { maxLength: 6 }).map((a) => a.join('')));
const date = fc.oneof(fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.constant(new Date('2026-01-15T10:20:30.5Z')));
const meta: fc.Arbitrary<MetricsObjectMeta> = fc.record(
  { name: text, namespace: text, labels: fc.dictionary(text, text, { maxKeys: 4 }), creationTimestamp: date },
  { requiredKeys: ['name'] },
);
const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e15 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(0, -0, 1e-9, 0.0042, 1024, 1536, 24678400, 1000.5));
const usage = fc.record({ cpu: number, memory: number });
const window = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.constantFrom(0, 15.036, 90, 3661.5, 0.0015, 0.0000015));
const pod: fc.Arbitrary<PodMetrics> = fc.record({ metadata: meta, timestamp: date, windowSeconds: window, containers: fc.array(fc.record({ name: text, usage }), { maxLength: 3 }) });
const node: fc.Arbitrary<NodeMetrics> = fc.record({ metadata: meta, timestamp: date, windowSeconds: window, usage });

describe('encodePodMetricsList / encodeNodeMetricsList', () => {
  it('write exactly the bytes of encodeJSON(render...List(...))', () => {
    fc.assert(
      fc.property(fc.array(pod, { maxLength: 6 }), fc.array(node, { maxLength: 6 }), (pods, nodes) => {
        expect(encodePodMetricsList(pods)).toBe(encodeJSON(renderPodMetricsList(pods)));
        expect(encodeNodeMetricsList(nodes)).toBe(encodeJSON(renderNodeMetricsList(nodes)));
      }),
      { numRuns: 2000 },
    );
  });

  it('fail as the renderers do, and write odd fields as the generic encoder does', () => {
    const p = (): PodMetrics => ({ metadata: { name: 'p', namespace: 'ns' }, timestamp: new Date(0), windowSeconds: 15, containers: [{ name: 'c', usage: { cpu: 0.5, memory: 1024 } }] });
    const n = (): NodeMetrics => ({ metadata: { name: 'n' }, timestamp: new Date(0), windowSeconds: 15, usage: { cpu: 0.5, memory: 1024 } });
    const samePods = (items: PodMetrics[]) => expect(outcome(() => encodePodMetricsList(items))).toBe(outcome(() => encodeJSON(renderPodMetricsList(items))));
    const sameNodes = (items: NodeMetrics[]) => expect(outcome(() => encodeNodeMetricsList(items))).toBe(outcome(() => encodeJSON(renderNodeMetricsList(items))));
    samePods([]);
    sameNodes([]);
    samePods([p(), { ...p(), windowSeconds: Number.NaN }]);
    samePods([p(), { ...p(), containers: [{ name: 'c', usage: { cpu: Number.POSITIVE_INFINITY, memory: 1 } }] }]);
    samePods([p(), { ...p(), timestamp: new Date(Number.NaN) }]);
    samePods([p(), { ...p(), metadata: { name: 'x', creationTimestamp: new Date(Number.NaN) } }]);
    samePods([p(), { ...p(), metadata: undefined as unknown as MetricsObjectMeta }]);
    samePods([p(), { ...p(), metadata: { name: 5 as unknown as string } }]);
    samePods([p(), { ...p(), containers: [{ name: undefined as unknown as string, usage: { cpu: 1, memory: 1 } }] }]);
    samePods([p(), { ...p(), metadata: { name: 'x', labels: { a: undefined as unknown as string } } }]);
    sameNodes([n(), { ...n(), usage: { cpu: 1, memory: Number.NaN } }]);
    sameNodes([n(), { ...n(), metadata: { name: true as unknown as string } }]);
    sameNodes([n(), { ...n(), windowSeconds: 1e300 }]);
  });
});
