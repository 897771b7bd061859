import { describe, expect, it } from 'vitest';
import { parseSelector } from '@custom-metrics/core';
import { buildCustomQuery, buildExternalQuery } from './build.js';
import { renderTemplate, templatePlaceholders } from './template.js';

const INFLUXQL_CUSTOM =
  'SELECT last("value") FROM "http_requests" WHERE {{objectFilter}} AND {{namespaceFilter}} AND {{labelMatchers}} AND time > now() - {{window}} GROUP BY {{objectTag}}';
const FLUX_CUSTOM =
  'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => r._measurement == "http_requests" and {{objectFilter}} and {{namespaceFilter}} and {{labelMatchers}}) |> group(columns: [{{objectTag}}]) |> last()';

describe('buildCustomQuery', () => {
  it.each([
    {
      name: 'InfluxQL, pods, metric selector',
      mode: 'influxql' as const,
      template: INFLUXQL_CUSTOM,
      names: ['web-1', 'web-2'],
      msel: 'verb=GET',
      want: `SELECT last("value") FROM "http_requests" WHERE ("pod" = 'web-1' OR "pod" = 'web-2') AND "namespace" = 'default' AND ("verb" = 'GET') AND time > now() - 5m GROUP BY "pod"`,
    },
    {
      name: 'InfluxQL, no metric selector',
      mode: 'influxql' as const,
      template: INFLUXQL_CUSTOM,
      names: ['web-1'],
      msel: '',
      want: `SELECT last("value") FROM "http_requests" WHERE "pod" = 'web-1' AND "namespace" = 'default' AND true AND time > now() - 5m GROUP BY "pod"`,
    },
    {
      name: 'InfluxQL, names regex',
      mode: 'influxql' as const,
      template: 'SELECT last(v) FROM m WHERE "pod" =~ {{names}} AND "ns" = {{namespace}}',
      names: ['api.v1', 'a/b'],
      msel: '',
      want: `SELECT last(v) FROM m WHERE "pod" =~ /^(?:api\\.v1|a\\/b)$/ AND "ns" = 'default'`,
    },
    {
      name: 'Flux, pods, metric selector',
      mode: 'flux' as const,
      template: FLUX_CUSTOM,
      names: ['web-1', 'web-2'],
      msel: 'verb in (GET,POST)',
      want:
        'from(bucket: "metrics") |> range(start: -5m) |> filter(fn: (r) => r._measurement == "http_requests" and (r["pod"] == "web-1" or r["pod"] == "web-2") and r["namespace"] == "default" and ((r["verb"] == "GET" or r["verb"] == "POST"))) |> group(columns: ["pod"]) |> last()',
    },
    {
      name: 'Flux, names regex',
      mode: 'flux' as const,
      template: 'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => r.pod =~ {{names}} and r.ns == {{namespace}})',
      names: ['api.v1'],
      msel: '',
      want: 'from(bucket: "metrics") |> range(start: -5m) |> filter(fn: (r) => r.pod =~ /^(?:api\\.v1)$/ and r.ns == "default")',
    },
  ])('$name', ({ mode, template, names, msel, want }) => {
    const q = buildCustomQuery({
      mode,
      template,
      window: '5m',
      bucket: 'metrics',
      namespace: 'default',
      namespaceTag: 'namespace',
      objectTag: 'pod',
      names,
      metricSelector: parseSelector(msel),
    });
    expect(q).toBe(want);
  });

  it('a cluster-scoped rule has an always-true namespace filter', () => {
    const q = buildCustomQuery({
      mode: 'influxql',
      template: 'SELECT last(v) FROM m WHERE {{objectFilter}} AND {{namespaceFilter}}',
      window: '1m',
      namespace: '',
      objectTag: 'node',
      names: ['node-a'],
      metricSelector: parseSelector(''),
    });
    expect(q).toBe(`SELECT last(v) FROM m WHERE "node" = 'node-a' AND true`);
  });

  it('rejects gt/lt metric selectors with 400', () => {
    expect(() =>
      buildCustomQuery({ mode: 'flux', template: FLUX_CUSTOM, window: '5m', bucket: 'b', namespace: 'n', objectTag: 'pod', names: ['a'], metricSelector: parseSelector('n>3') }),
    ).toThrow(expect.objectContaining({ code: 400 }));
  });
});

describe('buildExternalQuery', () => {
  it.each([
    {
      mode: 'influxql' as const,
      template: 'SELECT last("value") FROM "queue" WHERE {{namespaceFilter}} AND {{labelMatchers}} AND time > now() - {{window}} GROUP BY *',
      tag: 'namespace',
      want: `SELECT last("value") FROM "queue" WHERE "namespace" = 'team-a' AND ("queue" = 'worker') AND time > now() - 10m GROUP BY *`,
    },
    {
      mode: 'influxql' as const,
      template: 'SELECT last("value") FROM "queue" WHERE {{namespaceFilter}} AND {{labelMatchers}} GROUP BY *',
      tag: undefined,
      want: `SELECT last("value") FROM "queue" WHERE true AND ("queue" = 'worker') GROUP BY *`,
    },
    {
      mode: 'flux' as const,
      template: 'from(bucket: {{bucket}}) |> range(start: -{{window}}) |> filter(fn: (r) => {{namespaceFilter}} and {{labelMatchers}}) |> last()',
      tag: 'ns',
      want: 'from(bucket: "metrics") |> range(start: -10m) |> filter(fn: (r) => r["ns"] == "team-a" and (r["queue"] == "worker")) |> last()',
    },
  ])('$mode with namespace tag $tag', ({ mode, template, tag, want }) => {
    const q = buildExternalQuery({
      mode,
      template,
      window: '10m',
      bucket: 'metrics',
      namespace: 'team-a',
      ...(tag !== undefined ? { namespaceTag: tag } : {}),
      metricSelector: parseSelector('queue=worker'),
    });
    expect(q).toBe(want);
  });
});

describe('templates', () => {
  it('lists placeholders and rejects unknown or misplaced ones', () => {
    expect(templatePlaceholders('a {{ window }} {{labelMatchers}}', 'external', 'influxql')).toEqual(['window', 'labelMatchers']);
    expect(() => templatePlaceholders('{{nope}}', 'custom', 'flux')).toThrow(/unknown placeholder/);
    expect(() => templatePlaceholders('{{objectFilter}}', 'external', 'flux')).toThrow(/only available in custom/);
    expect(() => templatePlaceholders('{{bucket}}', 'custom', 'influxql')).toThrow(/only available in Flux/);
    expect(() => templatePlaceholders('{{window}', 'custom', 'flux')).toThrow(/unbalanced/);
  });

  it('inserts values literally (no $-patterns)', () => {
    expect(renderTemplate('x {{window}} y', { window: "$& $' $1" })).toBe("x $& $' $1 y");
    expect(() => renderTemplate('{{window}}', {})).toThrow(/no value/);
  });
});
