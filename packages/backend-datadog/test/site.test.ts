import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import datadogBackendDefault, { createTimeseriesClient, DATADOG_SITES, datadogBackend } from '../src/index.js';

/** A fetch that records URLs and headers and answers an empty timeseries response (no network). */
function recordingFetch(): { fetch: typeof fetch; urls: string[]; headers: Array<Record<string, string>> } {
  const urls: string[] = [];
  const headers: Array<Record<string, string>> = [];
  const impl = async (url: string | URL | Request, init?: RequestInit) => {
    urls.push(String(url));
    headers.push({ ...(init?.headers as Record<string, string>) });
    return new Response(JSON.stringify({ data: { type: 'timeseries_response', attributes: { series: [], times: [], values: [] } } }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: impl as typeof fetch, urls, headers };
}

describe('sites and base URL', () => {
  it.each(DATADOG_SITES.map((s) => [s]))('site %s is served at https://api.<site>', async (site) => {
    const rec = recordingFetch();
    const c = createTimeseriesClient({ site, apiKey: 'k1', appKey: 'k2', redact: (t) => t, fetch: rec.fetch });
    await c.queryBatch(['avg:m{*}'], 1000, 2000, new AbortController().signal);
    expect(rec.urls).toEqual([`https://api.${site}/api/v2/query/timeseries`]);
    expect(rec.headers[0]['DD-API-KEY']).toBe('k1');
    expect(rec.headers[0]['DD-APPLICATION-KEY']).toBe('k2');
  });

  it('a custom base URL overrides the site', async () => {
    const rec = recordingFetch();
    const c = createTimeseriesClient({ site: 'datadoghq.eu', baseUrl: 'https://dd-proxy.internal:8443/', apiKey: 'k1', appKey: 'k2', redact: (t) => t, fetch: rec.fetch });
    await c.queryBatch(['avg:m{*}'], 1000, 2000, new AbortController().signal);
    expect(rec.urls).toEqual(['https://dd-proxy.internal:8443/api/v2/query/timeseries']);
  });
});

describe('plugin and config schema', () => {
  it('is the default export and named datadog', () => {
    expect(datadogBackendDefault).toBe(datadogBackend);
    expect(datadogBackend.name).toBe('datadog');
  });

  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(datadogBackend.configSchema);

  it('accepts a full config', () => {
    const ok = validate({
      site: 'datadoghq.eu',
      apiKey: { env: 'DD_API_KEY' },
      appKey: { file: '/etc/datadog/app-key' },
      refreshIntervalSeconds: 30,
      maxAgeSeconds: 120,
      maxQueriesPerCall: 35,
      retry: { maxAttempts: 4 },
      defaults: { aggregator: 'avg', rollup: { method: 'avg', seconds: 60 }, windowSeconds: 300 },
      external: [{ name: 'queue_depth', metric: 'aws.sqs.messages_visible', aggregator: 'sum', tags: ['env:prod'], groupBy: ['queuename'] }],
      custom: [{ name: 'http_requests', resource: 'pods', objectTag: 'pod_name', query: 'sum:trace.hits{<<tags>>} by {<<by>>}.as_rate()' }],
      clusterAgentConvention: { enabled: true, rollupSeconds: 30 },
    });
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each([
    ['an unknown top-level field', { sit: 'datadoghq.com' }],
    ['an unknown site', { site: 'example.com' }],
    ['an unknown rule field', { external: [{ name: 'x', metric: 'm', extra: 1 }] }],
    ['a rule with both metric and query', { external: [{ name: 'x', metric: 'm', query: 'avg:m{<<tags>>}' }] }],
    ['a rule with neither', { external: [{ name: 'x' }] }],
    ['a custom rule without objectTag', { custom: [{ name: 'x', resource: 'pods', metric: 'm' }] }],
    ['a key source with both env and file', { apiKey: { env: 'A', file: '/b' } }],
    ['a batch size over 100', { maxQueriesPerCall: 500 }],
  ])('rejects %s', (_n, config) => {
    expect(validate(config)).toBe(false);
  });
});
