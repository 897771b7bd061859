import { describe, expect, it } from 'vitest';
import { classifyAnswer, type ClassifyContext } from './classify.js';
import { closestNames, editDistance } from './reasons.js';

const NOW = new Date('2026-01-01T00:10:00Z');
const ctx: ClassifyContext = {
  groupVersion: 'custom.metrics.k8s.io/v1beta2',
  metric: 'pods/http_requests',
  listed: ['pods/http_requests', 'pods/rps'],
  matchingObjects: 2,
  selectorText: 'app=web',
  selects: 'pods of Deployment/web',
  now: NOW,
  maxAgeMs: 300_000,
};
const item = (name: string, value: string, timestamp = '2026-01-01T00:09:30Z') => ({ describedObject: { kind: 'Pod', namespace: 'default', name }, value, timestamp });
const status = (code: number, message: string) => ({ status: code, body: { kind: 'Status', code, message } });

describe('classifyAnswer', () => {
  it.each([
    { name: '200 with fresh values', answer: { status: 200, body: { items: [item('web-1', '3')] } }, c: {}, code: undefined },
    { name: '403', answer: status(403, 'forbidden: User "x" cannot get'), c: {}, code: 'forbidden' },
    { name: '401', answer: status(401, 'Unauthorized'), c: {}, code: 'forbidden' },
    { name: '404, metric not listed', answer: status(404, 'the server could not find the metric'), c: { metric: 'pods/http_request' }, code: 'metric-not-listed' },
    { name: '404, listed, selector matches nothing', answer: status(404, 'not found'), c: { matchingObjects: 0 }, code: 'no-matching-objects' },
    { name: '404, listed, objects exist', answer: status(404, 'not found'), c: {}, code: 'no-values' },
    { name: 'empty list, no objects', answer: { status: 200, body: { items: [] } }, c: { matchingObjects: 0 }, code: 'no-matching-objects' },
    { name: 'empty list, objects exist', answer: { status: 200, body: { items: [] } }, c: {}, code: 'no-values' },
    { name: '400', answer: status(400, 'unable to parse requirement'), c: {}, code: 'bad-request' },
    { name: '503', answer: status(503, 'unable to fetch metrics'), c: {}, code: 'backend-error' },
    { name: '503 about age', answer: status(503, 'the value of "q" is 900s old (max age 120s)'), c: {}, code: 'stale' },
    { name: '503 no point found, objects exist', answer: status(503, 'no point found: Datadog has no point of rps for any of the 2 pods selected in the last 300s'), c: {}, code: 'no-values' },
    { name: '503 no point found, no objects', answer: status(503, 'no point found: Datadog has no point of external metric q in the last 300s'), c: { matchingObjects: 0 }, code: 'no-matching-objects' },
    { name: '503 rejected query', answer: status(503, 'Datadog rejected this metric\'s query (Datadog answered 400: …); fix the rule\'s query'), c: {}, code: 'backend-error' },
    { name: 'old timestamp', answer: { status: 200, body: { items: [item('web-1', '3', '2026-01-01T00:00:00Z')] } }, c: {}, code: 'stale' },
  ])('$name → $code', ({ answer, c, code }) => {
    const r = classifyAnswer(answer, { ...ctx, ...c });
    expect(r.reason?.code).toBe(code);
    if (r.reason) {
      expect(r.reason.message).not.toBe('');
      expect(r.reason.fix).not.toBe('');
    }
  });

  it('a rejected query\'s 503 says to fix the rule, not to check connectivity', () => {
    const r = classifyAnswer(status(503, 'Datadog rejected this metric\'s query (Datadog answered 400: bad); fix the rule\'s query'), ctx);
    expect(r.reason?.fix).toContain('fix the rule\'s query');
    expect(r.reason?.message).toContain('Datadog answered 400: bad');
  });

  it('names the closest listed metrics', () => {
    const r = classifyAnswer(status(404, 'x'), { ...ctx, metric: 'pods/http_request' });
    expect(r.reason?.message).toContain('closest listed: pods/http_requests');
  });

  it('the stale message gives the age and the object', () => {
    const r = classifyAnswer({ status: 200, body: { items: [item('web-1', '3', '2026-01-01T00:00:00Z')] } }, ctx);
    expect(r.reason?.message).toBe('1 of 1 values are older than the max age 300s (oldest: 600s, Pod default/web-1)');
  });
});

describe('closestNames', () => {
  it.each([
    { name: 'http_request', listed: ['http_requests', 'rps', 'queue_depth'], want: ['http_requests'] },
    { name: 'queue_messages', listed: ['queue_messages_ready', 'queue_depth', 'x'], want: ['queue_messages_ready'] },
    { name: 'cpu_usage', listed: ['memory_bytes'], want: [] },
    { name: 'rsp', listed: ['rps', 'rpm', 'abc'], want: ['rpm', 'rps'] },
  ])('$name in $listed → $want', ({ name, listed, want }) => {
    expect(closestNames(name, listed)).toEqual(want);
  });

  it('editDistance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
