// The Datadog API double itself enforces the documented contract (so tests through it mean something).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, APP_KEY, startDouble } from './support/harness.js';
import type { DatadogDouble } from '@custom-metrics/backend-datadog/testing';
import { validateRequest } from '@custom-metrics/backend-datadog/testing';

let double: DatadogDouble;
beforeAll(async () => {
  double = await startDouble({ rateLimit: { limit: 2, periodSeconds: 3600 } });
});
afterAll(async () => {
  await double.stop();
});

const valid = { data: { type: 'timeseries_request', attributes: { from: 1000, to: 2000, queries: [{ data_source: 'metrics', name: 'q0', query: 'avg:m{*}' }], formulas: [{ formula: 'q0' }] } } };
const post = (body: unknown, headers: Record<string, string> = { 'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY }) =>
  fetch(`${double.url}/api/v2/query/timeseries`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('Datadog API double', () => {
  it('answers 403 with Datadog\'s error body without both keys', async () => {
    const r = await post(valid, { 'DD-API-KEY': API_KEY });
    expect(r.status).toBe(403);
    expect(await r.json()).toEqual({ errors: ['Forbidden'] });
  });

  it('validates the body against the v2 TimeseriesFormulaQueryRequest schema', () => {
    expect(validateRequest(valid)).toEqual([]);
    expect(validateRequest({})).toEqual(['data: required object']);
    expect(validateRequest({ data: { type: 'x', attributes: { from: 1.5, to: 2, queries: [] } } })).toEqual([
      'data.type: must be "timeseries_request"',
      'data.attributes.from: required int64',
      'data.attributes.queries: required non-empty array',
    ]);
    expect(validateRequest({ data: { type: 'timeseries_request', attributes: { from: 1, to: 2, queries: [{ data_source: 'logs', query: 'avg:m{a:b}},x' }] } } })).toHaveLength(2);
  });

  it('sends rate-limit headers, then 429 once the budget is spent', async () => {
    const a = await post(valid);
    expect(a.status).toBe(200);
    expect(a.headers.get('x-ratelimit-limit')).toBe('2');
    expect(a.headers.get('x-ratelimit-period')).toBe('3600');
    expect(a.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(Number(a.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    expect(a.headers.get('x-ratelimit-name')).toBe('metrics_query');
    expect(await a.json()).toEqual({ data: { type: 'timeseries_response', attributes: { series: [], times: [], values: [] } } });
    const b = await post({ data: { type: 'timeseries_request', attributes: { from: 1, to: 2, queries: [] } } });
    expect(b.status).toBe(400);
    expect(((await b.json()) as { errors: string[] }).errors).toContain('data.attributes.queries: required non-empty array');
    expect(b.headers.get('x-ratelimit-remaining')).toBe('0');
    const c = await post(valid);
    expect(c.status).toBe(429);
    expect(await c.json()).toEqual({ errors: ['Too many requests'] });
  });
});
