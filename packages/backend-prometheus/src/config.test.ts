import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseDuration, resolveConfig } from './config.js';
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
      rules: [],
      externalRules: [],
    });
  });

  it.each([
    [{ url, extra: 1 }, 'config.extra: unknown field'],
    [{ url, rules: [{ seriesQuery: 'x', metricsQuery: 'y', nmae: {} }] }, 'config.rules[0].nmae: unknown field'],
    [{ url, rules: [{ seriesQuery: 'x', resources: { overrides: { pod: { resource: 'pod', grp: 'x' } } } }] }, 'config.rules[0].resources.overrides.pod.grp: unknown field'],
    [{ url, resourceRules: { cpu: {} } }, 'config.resourceRules.memory: required field is missing'],
    [{ url, method: 'PUT' }, 'config.method: must be one of'],
    [{ url, discovery: { interval: 'soon' } }, 'config.discovery.interval: invalid value'],
    [{ url, auth: { bearerToken: 'a', basic: { username: 'u' } } }, 'config.auth: set only one of'],
    [{}, 'config.url: required field is missing'],
    [{ url: 'not a url' }, 'config.url: invalid URL'],
  ])('rejects %j naming the path', (raw, message) => {
    expect(() => resolveConfig(raw)).toThrow(ConfigError);
    expect(() => resolveConfig(raw)).toThrow(message);
  });

  it('parses Go/Prometheus durations', () => {
    expect(parseDuration('1h30m', 'p')).toBe(5_400_000);
    expect(parseDuration('500ms', 'p')).toBe(500);
    expect(parseDuration('0', 'p')).toBe(0);
    expect(() => parseDuration('5', 'p')).toThrow('p: invalid duration');
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
