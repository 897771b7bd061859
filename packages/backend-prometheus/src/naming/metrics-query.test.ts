import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Requirement, Selector } from '@custom-metrics/core';
import { batchNames, batchNamesForRequest, MetricsQuery, queryRequestBytes } from './metrics-query.js';
import { escapePromString, escapeRegex } from './promql.js';
import { ResourceConverter } from './resource-converter.js';

const conv = new ResourceConverter({ overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } }, 'r');
const q = new MetricsQuery('<<.Series>>{<<.LabelMatchers>>}', conv, 'q');
const PODS = { group: '', resource: 'pods' };

/** Parses `series{l op "v",…}` back into matchers; throws if the text has any other shape. */
function parseSelectorQuery(text: string): { series: string; matchers: Array<[string, string, string]> } {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{/.exec(text);
  if (!head) throw new Error(`bad head: ${text}`);
  let rest = text.slice(head[0].length);
  const matchers: Array<[string, string, string]> = [];
  for (;;) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"/.exec(rest);
    if (!m) throw new Error(`bad matcher at: ${rest}`);
    let i = m[0].length;
    let value = '';
    for (; i < rest.length && rest[i] !== '"'; i++) {
      if (rest[i] === '\n') throw new Error('raw newline');
      if (rest[i] !== '\\') {
        value += rest[i];
        continue;
      }
      const e = rest[++i];
      if (e === 'x') {
        value += String.fromCharCode(parseInt(rest.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (e === 'u') {
        value += String.fromCharCode(parseInt(rest.slice(i + 1, i + 5), 16));
        i += 4;
      } else value += ({ n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' } as Record<string, string>)[e] ?? `?${e}`;
    }
    matchers.push([m[1], m[2], value]);
    rest = rest.slice(i + 1);
    if (rest === '}') return { series: head[1], matchers };
    if (rest[0] !== ',') throw new Error(`expected , at ${rest}`);
    rest = rest.slice(1);
  }
}

const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const text = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !LONE.test(s));

describe('MetricsQuery.build', () => {
  it('keeps the structure for any namespace, names and selector values (no injection)', () => {
    fc.assert(
      fc.property(text, fc.uniqueArray(text, { minLength: 1, maxLength: 4 }), text, (namespace, names, value) => {
        const sel = { requirements: [{ key: 'verb', operator: '=', values: [value] } as Requirement] } as unknown as Selector;
        const out = q.build({ series: 'http_requests', resource: PODS, namespace, names, metricSelector: sel });
        const parsed = parseSelectorQuery(out);
        const podMatcher: [string, string, string] = names.length === 1 ? ['pod', '=', names[0]] : ['pod', '=~', names.map(escapeRegex).join('|')];
        const expected: Array<[string, string, string]> = [['verb', '=', value], ...(namespace ? [['namespace', '=', namespace] as [string, string, string]] : []), podMatcher];
        expect(parsed).toEqual({ series: 'http_requests', matchers: expected });
        if (names.length > 1) {
          const re = new RegExp(`^(?:${parsed.matchers.at(-1)?.[2]})$`);
          for (const n of names) expect(re.test(n)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('accepts every field prometheus-adapter passes, including .LabelValuesByName.<label> (a Go map)', () => {
    const src = '<<.Series>>{<<.LabelMatchers>>,p="<<.LabelValuesByName.pod>>",n="<<.LabelValuesByName.namespace>>"} by (<<.GroupBy>>|<<join .GroupBySlice ",">>)';
    const t = new MetricsQuery(src, conv, 't');
    const out = t.build({ series: 's', resource: PODS, namespace: 'ns', names: ['a', 'b'], metricSelector: { requirements: [] } as unknown as Selector });
    expect(out).toBe('s{namespace="ns",pod=~"a|b",p="a|b",n="ns"} by (pod|pod)');
    // A label the request does not carry prints as Go's text/template does for a missing map key.
    expect(new MetricsQuery('x{v="<<.LabelValuesByName.verb>>"}', conv, 't').buildExternal('x', '', { requirements: [] } as unknown as Selector)).toBe('x{v="<no value>"}');
    expect(() => new MetricsQuery('<<.Nope>>', conv, 'config.rules[0].metricsQuery')).toThrow(/config\.rules\[0\]\.metricsQuery.*Nope/);
  });

  it('escapes LabelValuesByName for use inside a PromQL string', () => {
    const t = new MetricsQuery('x{ns="<<index .LabelValuesByName "namespace">>"}', conv, 't');
    const out = t.build({ series: 's', resource: PODS, namespace: 'a"}or vector(1)#', names: ['p'], metricSelector: { requirements: [] } as unknown as Selector });
    expect(out).toBe(`x{ns="${escapePromString('a"}or vector(1)#')}"}`);
    expect(parseSelectorQuery(out).matchers).toEqual([['ns', '=', 'a"}or vector(1)#']]);
  });
});

describe('batchNames', () => {
  it('never builds an alternation over the limit and keeps every name once, in order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 200 }), fc.integer({ min: 64, max: 400 }), (names, limit) => {
        const batches = batchNames(names, limit);
        expect(batches.flat()).toEqual(names);
        for (const b of batches) {
          const size = Buffer.byteLength(escapePromString(b.map(escapeRegex).join('|')));
          if (b.length > 1) expect(size).toBeLessThanOrEqual(limit);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('splits 5,000 pod names under the default 8 kB', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `web-7cfb596f98-${String(i).padStart(5, '0')}`);
    const batches = batchNames(names, 8192);
    expect(batches.length).toBeGreaterThan(10);
    expect(Math.max(...batches.map((b) => escapePromString(b.map(escapeRegex).join('|')).length))).toBeLessThanOrEqual(8192);
  });
});

describe('batchNamesForRequest', () => {
  const wrapped = new MetricsQuery('sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)', conv, 'q');
  const build = (names: readonly string[]) => wrapped.build({ series: 'http_requests_total', resource: PODS, namespace: 'checkout', names, metricSelector: { requirements: [] } as unknown as Selector });

  for (const method of ['POST', 'GET'] as const) {
    it(`keeps every ${method} request for 5,000 43-character pod names under 8 kB, every name once, in order`, () => {
      const names = Array.from({ length: 5000 }, (_, i) => `checkout-payments-frontend-7cfb596f98-${i.toString(36).padStart(5, 'x')}`);
      expect(names[0]).toHaveLength(43);
      const size = (b: readonly string[]) => queryRequestBytes(build(b), method);
      const batches = batchNamesForRequest(names, { maxRegexBytes: 8192, maxRequestBytes: 8000 }, size);
      expect(batches.flat()).toEqual(names);
      for (const b of batches) expect(size(b)).toBeLessThanOrEqual(8000);
      // Filled, not fragmented: at most one batch more than the byte count strictly needs.
      const total = names.reduce((s, n) => s + size([n]), 0);
      expect(batches.length).toBeLessThanOrEqual(Math.ceil(total / 8000) + 1);
    });
  }

  it('holds for any names and limits; a single name too large for the limit gets a batch of its own', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 150 }), fc.integer({ min: 256, max: 2000 }), (names, limit) => {
        const size = (b: readonly string[]) => queryRequestBytes(build(b), 'GET');
        const batches = batchNamesForRequest(names, { maxRegexBytes: 8192, maxRequestBytes: limit }, size);
        expect(batches.flat()).toEqual(names);
        for (const b of batches) if (b.length > 1) expect(size(b)).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 200 },
    );
  });

  it('measures a request as the client sends it (form-encoded body; GET adds the path)', () => {
    expect(queryRequestBytes('up{a="b c"}', 'POST')).toBe(new URLSearchParams({ query: 'up{a="b c"}' }).toString().length);
    expect(queryRequestBytes('up', 'GET')).toBe('/api/v1/query?query=up'.length);
  });
});
