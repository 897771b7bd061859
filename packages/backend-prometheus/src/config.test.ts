import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '@custom-metrics/core';
import { ConfigError } from './errors.js';
import { parseDuration, resolveConfig } from './config.js';
import { configSchema } from './config-schema.js';

// The server checks every backend config against the plugin's configSchema with ajv (the only
// schema check); resolveConfig checks the rest.
const schema = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(configSchema);
const schemaErrors = (raw: unknown) => (schema(structuredClone(raw)) ? [] : (schema.errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`));
import { MetricNamer } from './naming/metric-namer.js';

const url = 'http://127.0.0.1:9090';

describe('resolveConfig', () => {
  it('applies the defaults', () => {
    const c = resolveConfig({ url: `${url}/` });
    expect(c).toMatchObject({
      url,
      method: 'POST',
      timeoutMs: 10_000,
      discoveryIntervalMs: 60_000,
      lookbackMs: 60_000,
      maxAgeMs: 600_000,
      onDemand: true,
      cacheTtlMs: 5_000,
      serveStaleMs: 0,
      maxRegexBytes: 8192,
      coalesce: true,
      coalesceMaxSeries: 20_000,
      rules: [],
      externalRules: [],
    });
    expect(resolveConfig({ url, query: { coalesce: false, coalesceMaxSeries: 5 } })).toMatchObject({ coalesce: false, coalesceMaxSeries: 5 });
  });

  it('gives series listings their own limit: discovery.maxResponseBytes, 1 GiB by default, apart from maxResponseBytes', () => {
    expect(resolveConfig({ url })).toMatchObject({ maxResponseBytes: 32 * 1024 * 1024, discoveryMaxResponseBytes: 1024 * 1024 * 1024 });
    const raw = { url, maxResponseBytes: 4096, discovery: { maxResponseBytes: 256 * 1024 * 1024 } };
    expect(schemaErrors(raw)).toEqual([]);
    expect(resolveConfig(raw)).toMatchObject({ maxResponseBytes: 4096, discoveryMaxResponseBytes: 256 * 1024 * 1024 });
    expect(schemaErrors({ url, discovery: { maxResponseBytes: 10 } })).toEqual(['/discovery/maxResponseBytes minimum {"comparison":">=","limit":1024}']);
  });

  it.each([
    [{ url, extra: 1 }, ' additionalProperties {"additionalProperty":"extra"}'],
    [{ url, rules: [{ seriesQuery: 'x', metricsQuery: 'y', nmae: {} }] }, '/rules/0 additionalProperties {"additionalProperty":"nmae"}'],
    [{ url, rules: [{ seriesQuery: 'x', resources: { overrides: { pod: { resource: 'pod', grp: 'x' } } } }] }, '/rules/0/resources/overrides/pod additionalProperties {"additionalProperty":"grp"}'],
    [{ url, resourceRules: { cpu: {} } }, '/resourceRules required {"missingProperty":"memory"}'],
    [{ url, method: 'PUT' }, '/method enum'],
    [{ url, query: { coalesce: 'yes' } }, '/query/coalesce type {"type":"boolean"}'],
    [{ url, query: { coalesceMaxSeries: 0 } }, '/query/coalesceMaxSeries minimum {"comparison":">=","limit":1}'],
    [{ url, discovery: { interval: 'soon' } }, '/discovery/interval pattern'],
    [{}, ' required {"missingProperty":"url"}'],
  ])('the schema rejects %j at its path', (raw, error) => {
    expect(schemaErrors(raw).some((e) => e.startsWith(error))).toBe(true);
  });

  it.each([
    [{ url, auth: { bearerToken: 'a', basic: { username: 'u' } } }, 'auth: set only one of'],
    [{ url: 'not a url' }, 'url: invalid URL'],
    [{ url, timeout: '0' }, 'timeout: must be greater than 0'],
  ])('rejects %j with a path-carrying core ConfigError', (raw, message) => {
    expect(schemaErrors(raw)).toEqual([]);
    expect(() => resolveConfig(raw)).toThrow(ConfigError);
    expect(() => resolveConfig(raw)).toThrow(message);
    try {
      resolveConfig(raw);
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      expect((e as ConfigError).path).toBe(message.split(':')[0]);
    }
  });

  it('parses Go durations', () => {
    expect(parseDuration('1h30m', 'p')).toBe(5_400_000);
    expect(parseDuration('500ms', 'p')).toBe(500);
    expect(parseDuration('0', 'p')).toBe(0);
    expect(() => parseDuration('5', 'p')).toThrow('p: "5" is not a duration');
  });
});

describe('MetricNamer config errors name their path', () => {
  it.each([
    [{ seriesQuery: 'x' }, 'r.metricsQuery: required field is missing'],
    [{ seriesQuery: 'x', metricsQuery: '<<with .Series>><<end>>' }, 'r.metricsQuery: unsupported construct "with"'],
    [{ seriesQuery: 'x', metricsQuery: '<<.Serie>>' }, "r.metricsQuery: can't evaluate field Serie"],
    [{ seriesQuery: 'x', metricsQuery: 'q', seriesFilters: [{ is: 'a', isNot: 'b' }] }, 'r.seriesFilters[0]: cannot have both'],
    [{ seriesQuery: 'x', metricsQuery: 'q', seriesFilters: [{}] }, 'r.seriesFilters[0]: must have either'],
    [{ seriesQuery: 'x', metricsQuery: 'q', name: { matches: '(a)(b)' } }, 'r.name.as: must be set'],
    [{ seriesQuery: 'x', metricsQuery: 'q', name: { matches: '(' } }, 'r.name.matches: invalid regular expression'],
    [{ seriesQuery: 'x', metricsQuery: 'q', resources: { template: 'kube_<<.Group>>' } }, 'r.resources.template: template must use .Resource'],
  ])('%j', (rule, message) => {
    expect(() => new MetricNamer(rule, 'r')).toThrow(message);
  });

  it('names series with Go Expand semantics and RE2 named groups', () => {
    const n = new MetricNamer({ seriesQuery: 'x', metricsQuery: 'q', name: { matches: '^(?P<base>.*)_total$', as: '${base}_per_second' } }, 'r');
    expect(n.metricNameFor('http_requests_total')).toBe('http_requests_per_second');
    const m = new MetricNamer({ seriesQuery: 'x', metricsQuery: 'q', name: { matches: '^(.*)_total$', as: '$1_x$$' } }, 'r');
    // `$1_x` is the (absent) group named "1_x", as in Go; `$$` is a literal dollar.
    expect(m.metricNameFor('a_total')).toBe('$');
    expect(m.metricNameFor('nope')).toBeUndefined();
  });
});
