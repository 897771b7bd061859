import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExternalMetricValue, LabelSelector, MetricValue, ObjectReference } from '../model.js';
import { formatBinary, formatDecimal } from '../quantity-canonical.js';
import { formatBinaryQuantity, formatNanoCores, formatQuantity, roundScaled } from '../quantity-format.js';
import { formatGoDuration } from './time.js';
import { encodeMetricValueList, renderMetricValueList } from './custom.js';
import { encodeExternalMetricValueList, renderExternalMetricValueList } from './external.js';
import { encodeJSON } from './json.js';

/** The reference bytes: the wire objects encoded by the generic encoder. */
const reference = (version: 'v1beta1' | 'v1beta2', items: MetricValue[]) => encodeJSON(renderMetricValueList(version, items));

/** What a call answers: its text, or its error's class and message. */
function outcome(f: () => string): string {
  try {
    return `ok ${f()}`;
  } catch (e) {
    return `throws ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

// Characters the encoder escapes or checks, next to ordinary ones.
const tricky = fc.constantFrom('a', 'Z', '0', '-', '.', '/', '<', '>', '&', '"', '\\', '\n', '\t', '\b', '\f', '\u0001', '\u001f', '\u007f', '\u2028', '\u2029', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', 'é', '日');
const text = fc.oneof(fc.constantFrom('', 'web-0', 'Pod', '/v1', 'apps/v1', 'default'), fc.array(tricky, { maxLength: 8 }).map((a) => a.join('')), fc.string({ maxLength: 6 }));

const selector: fc.Arbitrary<LabelSelector | null> = fc.oneof(
  fc.constant(null),
  fc.constant({}),
  fc.record(
    {
      matchLabels: fc.dictionary(text, text, { maxKeys: 3 }),
      matchExpressions: fc.array(
        fc.record({ key: text, operator: fc.constantFrom('In' as const, 'NotIn' as const, 'Exists' as const, 'DoesNotExist' as const), values: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }) }, { requiredKeys: ['key', 'operator'] }),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: [] },
  ),
);

const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map((n) => n / 1000),
  fc.integer().map((n) => n * 1000),
  fc.constantFrom(0, -0, 1e-9, 0.0005, 0.0015, 1.005, 1.5, 1e3, 1e15, 2 ** 51 / 1000, 2 ** 53, 1e20, 1e21, 1e300, -1e300, 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE),
);

const windowSeconds = fc.option(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.constantFrom(0, -0, -0.4, 0.5, 30, 60.49)), { nil: undefined });

const timestamp = fc.oneof(
  fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
  fc.constantFrom(new Date('2026-01-15T10:20:30.999Z'), new Date('2026-01-15T10:20:31Z'), new Date(0)),
);

/**
 * An answer: items drawn from small pools, so consecutive items share (by identity or by value)
 * their kind, namespace, apiVersion, metric name, selector and timestamp as a provider's do, and
 * sometimes do not.
 */
const answer = fc
  .record({
    kinds: fc.array(text, { minLength: 1, maxLength: 2 }),
    namespaces: fc.array(fc.option(text, { nil: undefined }), { minLength: 1, maxLength: 2 }),
    apiVersions: fc.array(text, { minLength: 1, maxLength: 2 }),
    names: fc.array(text, { minLength: 1, maxLength: 2 }),
    selectors: fc.array(selector, { minLength: 1, maxLength: 2 }),
    times: fc.array(timestamp, { minLength: 1, maxLength: 2 }),
    windows: fc.array(windowSeconds, { minLength: 1, maxLength: 2 }),
  })
  .chain((pool) =>
    fc.array(
      fc.record({
        kind: fc.constantFrom(...pool.kinds),
        namespace: fc.constantFrom(...pool.namespaces),
        apiVersion: fc.constantFrom(...pool.apiVersions),
        objectName: text,
        uid: fc.option(text, { nil: undefined }),
        metric: fc.constantFrom(...pool.names),
        selector: fc.constantFrom(...pool.selectors),
        sharedSelector: fc.boolean(),
        time: fc.constantFrom(...pool.times),
        window: fc.constantFrom(...pool.windows),
        value,
      }),
      { maxLength: 12 },
    ),
  )
  .map((raw) =>
    raw.map((r): MetricValue => {
      const ref: ObjectReference = { kind: r.kind, name: r.objectName, apiVersion: r.apiVersion };
      if (r.namespace !== undefined) ref.namespace = r.namespace;
      if (r.uid !== undefined) ref.uid = r.uid;
      const v: MetricValue = {
        describedObject: ref,
        metric: { name: r.metric, selector: r.sharedSelector || r.selector === null ? r.selector : structuredClone(r.selector) },
        timestamp: r.time,
        value: r.value,
      };
      if (r.window !== undefined) v.windowSeconds = r.window;
      return v;
    }),
  );

describe('encodeMetricValueList', () => {
  it('writes exactly the bytes of encodeJSON(renderMetricValueList(...)) for both versions', () => {
    fc.assert(
      fc.property(fc.constantFrom('v1beta1' as const, 'v1beta2' as const), answer, (version, items) => {
        expect(encodeMetricValueList(version, items)).toBe(reference(version, items));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the same bytes when the described objects are frozen and shared across answers (their text is kept)', () => {
    fc.assert(
      fc.property(fc.constantFrom('v1beta1' as const, 'v1beta2' as const), answer, fc.array(fc.nat(), { maxLength: 12 }), (version, items, picks) => {
        // Every other answer is built from the first answer's frozen objects, in another order.
        const frozen = items.map((v) => ({ ...v, describedObject: Object.freeze({ ...v.describedObject }) }));
        expect(encodeMetricValueList(version, frozen)).toBe(reference(version, frozen));
        if (frozen.length === 0) return;
        const again = picks.map((p, i) => ({ ...items[i % items.length], describedObject: frozen[p % frozen.length].describedObject }));
        expect(encodeMetricValueList(version, again)).toBe(reference(version, again));
        expect(encodeMetricValueList(version, frozen)).toBe(reference(version, frozen));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the empty list and the shared parts as the generic encoder does', () => {
    for (const version of ['v1beta1', 'v1beta2'] as const) {
      expect(encodeMetricValueList(version, [])).toBe(reference(version, []));
      const sel: LabelSelector = { matchLabels: { b: '1', a: '<&>', '10': 'x', '9': 'y' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['\u2028'] }, { key: 'e', operator: 'Exists', values: [] }] };
      const items: MetricValue[] = ['web-0', 'web-1', '"quoted"'].map((name, i) => ({
        describedObject: { kind: 'Pod', namespace: i === 2 ? '' : 'bench', name, apiVersion: '/v1', uid: i === 1 ? 'u-1' : '' },
        metric: { name: 'http_requests', selector: sel },
        timestamp: new Date('2026-01-15T10:20:30.5Z'),
        windowSeconds: i === 0 ? undefined : -0.2,
        value: [1.5, -0, 1e-9][i],
      }));
      expect(encodeMetricValueList(version, items)).toBe(reference(version, items));
    }
  });

  it('fails as renderMetricValueList does (same error, same message) for values, windows and timestamps it refuses', () => {
    const base = (): MetricValue => ({ describedObject: { kind: 'Pod', name: 'a', apiVersion: '/v1' }, metric: { name: 'm', selector: null }, timestamp: new Date(0), value: 1 });
    const bad: MetricValue[] = [
      { ...base(), value: Number.NaN },
      { ...base(), value: Number.POSITIVE_INFINITY },
      { ...base(), windowSeconds: Number.NEGATIVE_INFINITY },
      { ...base(), timestamp: new Date(Number.NaN) },
      { ...base(), timestamp: new Date('+010000-01-01T00:00:00Z') },
      { ...base(), value: Number.NaN, windowSeconds: Number.NaN },
    ];
    for (const version of ['v1beta1', 'v1beta2'] as const) {
      for (const item of bad) {
        const items = [base(), item];
        const want = outcome(() => reference(version, items));
        expect(want.startsWith('throws')).toBe(true);
        expect(outcome(() => encodeMetricValueList(version, items))).toBe(want);
      }
    }
  });
});

describe('encodeMetricValueList with fields of other types (a plugin mistake)', () => {
  it('writes them as the generic encoder does', () => {
    const odd = [
      { kind: 5, name: 'a', apiVersion: '/v1' },
      { kind: 'Pod', name: 0, apiVersion: '/v1', uid: null },
      { kind: 'Pod', name: 'a', apiVersion: true },
    ];
    for (const version of ['v1beta1', 'v1beta2'] as const) {
      for (const ref of odd) {
        const items = [{ describedObject: ref as unknown as ObjectReference, metric: { name: 'm', selector: null }, timestamp: new Date(0), value: 1 }];
        expect(encodeMetricValueList(version, items)).toBe(reference(version, items));
      }
      const unnamed = [{ describedObject: { kind: 'Pod', name: 'a', apiVersion: '/v1' }, metric: { selector: null } as unknown as MetricValue['metric'], timestamp: new Date(0), value: 1 }];
      expect(encodeMetricValueList(version, unnamed)).toBe(reference(version, unnamed));
    }
  });
});

describe('encodeExternalMetricValueList', () => {
  const labels = fc.oneof(
    fc.constant(null),
    fc.dictionary(fc.oneof(text, fc.constantFrom('10', '9', '__proto__', 'constructor', '-1', '01')), text, { maxKeys: 5 }),
  );
  const externalItems = fc
    .record({ names: fc.array(text, { minLength: 1, maxLength: 2 }), times: fc.array(timestamp, { minLength: 1, maxLength: 2 }), windows: fc.array(windowSeconds, { minLength: 1, maxLength: 2 }) })
    .chain((pool) =>
      fc.array(
        fc.record({ name: fc.constantFrom(...pool.names), labels, time: fc.constantFrom(...pool.times), window: fc.constantFrom(...pool.windows), value }),
        { maxLength: 10 },
      ),
    )
    .map((raw) =>
      raw.map((r): ExternalMetricValue => {
        const v: ExternalMetricValue = { metricName: r.name, metricLabels: r.labels, timestamp: r.time, value: r.value };
        if (r.window !== undefined) v.windowSeconds = r.window;
        return v;
      }),
    );

  it('writes exactly the bytes of encodeJSON(renderExternalMetricValueList(...))', () => {
    fc.assert(
      fc.property(externalItems, (items) => {
        expect(encodeExternalMetricValueList(items)).toBe(encodeJSON(renderExternalMetricValueList(items)));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the empty list, odd label records and names, and fails as the renderer does', () => {
    const same = (items: ExternalMetricValue[]) => expect(outcome(() => encodeExternalMetricValueList(items))).toBe(outcome(() => encodeJSON(renderExternalMetricValueList(items))));
    same([]);
    const proto = JSON.parse('{"__proto__":"x","b":"2","10":"ten","9":"nine","u":"\\u2028<&>"}') as Record<string, string>;
    const base = (): ExternalMetricValue => ({ metricName: 'queue', metricLabels: proto, timestamp: new Date(0), value: 1.5 });
    same([base(), { ...base(), metricLabels: { a: undefined as unknown as string, b: '1' } }]);
    same([base(), { ...base(), metricName: undefined as unknown as string }]);
    same([base(), { ...base(), value: Number.NaN }]);
    same([base(), { ...base(), windowSeconds: Number.POSITIVE_INFINITY }]);
    same([base(), { ...base(), timestamp: new Date(Number.NaN) }]);
  });
});

describe('formatQuantity fast path', () => {
  it('writes the same text as the exact BigInt path', () => {
    const exact = (v: number) => formatDecimal(roundScaled(v, 3), -3, 'DecimalSI');
    fc.assert(
      fc.property(value, (v) => {
        expect(formatQuantity(v)).toBe(exact(v));
      }),
      { numRuns: 20000 },
    );
    for (const v of [0, -0, 2 ** 51 / 1000, -(2 ** 51) / 1000, (2 ** 51 - 1) / 1000, 2 ** 51, 1e12, 1e13, 123456789012.345, 0.1, 0.2, 0.3, 1.0005, 2.675, -1.0005]) {
      expect(formatQuantity(v), String(v)).toBe(exact(v));
    }
  });
});

describe('formatNanoCores and formatBinaryQuantity fast paths', () => {
  const numbers = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((n) => n / 1e9),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((n) => n / 1e6),
    fc.integer({ min: 0, max: 2 ** 45 }),
    fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((n) => n * 1024),
    fc.integer({ min: 0, max: 2 ** 12 }).map((n) => n * 1024 ** 3),
    fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((n) => n + 0.5),
    fc.constantFrom(0, -0, 1e-9, 5e-10, 1.5e-9, 0.004263307, 2.5, 1023, 1024, 1536, 24678400, 2 ** 41, 2 ** 41 - 1024, -(2 ** 41), 2 ** 51 / 1e9, 2 ** 60, 1e21, -1e300),
  );
  it('write the same text as the exact BigInt paths', () => {
    fc.assert(
      fc.property(numbers, (v) => {
        expect(formatNanoCores(v)).toBe(formatDecimal(roundScaled(v, 9), -9, 'DecimalSI'));
        expect(formatBinaryQuantity(v)).toBe(formatBinary(roundScaled(v, 3), -3));
      }),
      { numRuns: 20000 },
    );
  });
});

describe('formatGoDuration reuse of the last text', () => {
  it('answers each value as a fresh call does, in any order', () => {
    const values = [15.036, 15.036, 0, -0, 0, 90, 90, 3661.5, 0.0015, 0.0015, 0.0000015, -1.5, 15.036];
    const fresh = values.map((v) => formatGoDuration(v));
    expect(fresh).toEqual(['15.036s', '15.036s', '0s', '0s', '0s', '1m30s', '1m30s', '1h1m1.5s', '1.5ms', '1.5ms', '1.5µs', '-1.5s', '15.036s']);
    expect(() => formatGoDuration(Number.NaN)).toThrow(RangeError);
    expect(() => formatGoDuration(Number.NaN)).toThrow(RangeError);
  });
});
