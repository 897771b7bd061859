import { describe, expect, it } from 'vitest';
import { isMetricsError, parseSelector } from '@custom-metrics/core';
import { buildCustomQuery, buildExternalQuery, matchesQuery, requirementToMatcher } from './build.js';

describe('requirementToMatcher', () => {
  it.each([
    ['a=x', { label: 'a', op: 'in', values: ['x'] }],
    ['a in (x,y)', { label: 'a', op: 'in', values: ['x', 'y'] }],
    ['a!=x', { label: 'a', op: 'notin', values: ['x'] }],
    ['a notin (x,y)', { label: 'a', op: 'notin', values: ['x', 'y'] }],
    ['a', { label: 'a', op: 'notin', values: [''] }],
    ['!a', { label: 'a', op: 'in', values: [''] }],
  ])('%s', (selector, matcher) => {
    expect(requirementToMatcher(parseSelector(selector).requirements[0])).toEqual(matcher);
  });

  it('refuses gt/lt with a 400 naming the key', () => {
    try {
      requirementToMatcher(parseSelector('a>1').requirements[0]);
      expect.unreachable();
    } catch (e) {
      expect(isMetricsError(e) && e.code).toBe(400);
      expect(String(e)).toMatch(/"a"/);
    }
  });
});

describe('query building', () => {
  it('custom: objects, namespace, then the metric selector', () => {
    expect(buildCustomQuery({ series: 's', objectLabel: 'pod', names: ['a.b', 'c'], namespaceLabel: 'namespace', namespace: 'ns', metricSelector: parseSelector('verb=GET') })).toEqual({
      series: 's',
      matchers: [
        { label: 'pod', op: 'in', values: ['a.b', 'c'] },
        { label: 'namespace', op: 'in', values: ['ns'] },
        { label: 'verb', op: 'in', values: ['GET'] },
      ],
    });
  });

  it('custom on cluster-scoped objects: no namespace matcher', () => {
    expect(buildCustomQuery({ series: 's', objectLabel: 'node', names: ['n'], metricSelector: parseSelector('') }).matchers).toEqual([{ label: 'node', op: 'in', values: ['n'] }]);
  });

  it('external: the namespace only when the rule names a label', () => {
    expect(buildExternalQuery({ series: 'q', metricSelector: parseSelector('') }).matchers).toEqual([]);
    expect(buildExternalQuery({ series: 'q', metricSelector: parseSelector(''), namespaceLabel: 'ns', namespace: 'x' }).matchers).toEqual([{ label: 'ns', op: 'in', values: ['x'] }]);
  });

  it('matchesQuery compares literally; a missing label is ""', () => {
    const q = buildCustomQuery({ series: 's', objectLabel: 'pod', names: ['a.b'], metricSelector: parseSelector('!gone,env!=dev') });
    expect(matchesQuery(q, { pod: 'a.b' })).toBe(true);
    expect(matchesQuery(q, { pod: 'axb' })).toBe(false);
    expect(matchesQuery(q, { pod: 'a.b', gone: 'x' })).toBe(false);
    expect(matchesQuery(q, { pod: 'a.b', env: 'dev' })).toBe(false);
  });
});
