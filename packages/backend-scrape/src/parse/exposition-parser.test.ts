import { describe, expect, it } from 'vitest';
import { detectFormat, parseExposition } from './exposition-parser.js';
import { ExpositionParseError } from './parse-error.js';

const parseErr = (text: string, opts = {}) => {
  try {
    parseExposition(text, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpositionParseError);
    return e as ExpositionParseError;
  }
  throw new Error('expected a parse error');
};

describe('parseExposition (text 0.0.4)', () => {
  it('parses HELP, TYPE, labels, values and millisecond timestamps', () => {
    const r = parseExposition(
      [
        '# HELP http_requests_total The total number of HTTP requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400"}    3 1395066363000',
        '',
        '# A normal comment.',
        'metric_without_timestamp_and_labels 12.47',
        'something_weird{problem="division by zero"} +Inf -3982045',
        'neg{a="b",} -Inf',
        'nan NaN',
        'sci 1.5e-3',
        '',
      ].join('\n'),
    );
    expect(r.format).toBe('text');
    expect(r.families.get('http_requests_total')).toEqual({ name: 'http_requests_total', type: 'counter', help: 'The total number of HTTP requests.' });
    expect(r.samples[0]).toEqual({ name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 });
    expect(r.samples[1].value).toBe(3);
    expect(r.samples[2]).toEqual({ name: 'metric_without_timestamp_and_labels', labels: {}, value: 12.47 });
    expect(r.samples[3]).toEqual({ name: 'something_weird', labels: { problem: 'division by zero' }, value: Infinity, timestampMs: -3982045 });
    expect(r.samples[4]).toEqual({ name: 'neg', labels: { a: 'b' }, value: -Infinity });
    expect(r.samples[5].value).toBeNaN();
    expect(r.samples[6].value).toBe(0.0015);
  });

  it('unescapes label values and HELP text', () => {
    const r = parseExposition(
      ['# HELP m A \\\\ backslash\\nnewline and \\"kept\\"', 'm{path="C:\\\\dir\\\\file",q="say \\"hi\\"",nl="a\\nb"} 1', ''].join('\n'),
    );
    expect(r.families.get('m')?.help).toBe('A \\ backslash\nnewline and \\"kept\\"');
    expect(r.samples[0].labels).toEqual({ path: 'C:\\dir\\file', q: 'say "hi"', nl: 'a\nb' });
  });

  it('keeps histogram and summary series', () => {
    const r = parseExposition(
      [
        '# TYPE rpc_duration_seconds summary',
        'rpc_duration_seconds{quantile="0.5"} 4773',
        'rpc_duration_seconds_sum 1.7560473e+07',
        'rpc_duration_seconds_count 2693',
        '# TYPE http_request_duration_seconds histogram',
        'http_request_duration_seconds_bucket{le="0.05"} 24054',
        'http_request_duration_seconds_bucket{le="+Inf"} 144320',
        'http_request_duration_seconds_sum 53423',
        'http_request_duration_seconds_count 144320',
      ].join('\n'),
    );
    expect(r.families.get('rpc_duration_seconds')?.type).toBe('summary');
    expect(r.families.get('http_request_duration_seconds')?.type).toBe('histogram');
    expect(r.samples.map((s) => s.name)).toEqual([
      'rpc_duration_seconds',
      'rpc_duration_seconds_sum',
      'rpc_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_sum',
      'http_request_duration_seconds_count',
    ]);
    expect(r.samples[4].labels).toEqual({ le: '+Inf' });
    expect(r.samples[1].value).toBe(17560473);
  });

  it.each([
    ['a value that is not a number', 'm{a="b"} abc', 1, /invalid value/],
    ['an unterminated label value', 'ok 1\nm{a="b} 1', 2, /unterminated/],
    ['a bad escape', 'm{a="\\t"} 1', 1, /invalid escape/],
    ['a duplicate label', 'm{a="1",a="2"} 1', 1, /duplicate label a/],
    ['an invalid metric name', '1m 1', 1, /invalid metric name/],
    ['a missing value', 'm{a="b"}', 1, /expected a space/],
    ['too many fields', 'm 1 2 3', 1, /expected "value \[timestamp\]"/],
    ['a float timestamp', 'm 1 1.5', 1, /invalid timestamp/],
    ['an unknown type', '# TYPE m countr', 1, /invalid metric type/],
    ['a second TYPE line', '# TYPE m gauge\n# TYPE m gauge', 2, /second TYPE/],
    ['a TYPE after samples', 'm 1\n# TYPE m gauge', 2, /after its samples/],
    ['a label name with a dash', 'm{a-b="1"} 1', 1, /expected "="|invalid label/],
    ['binary garbage', '\u0000\u0001\u0002', 1, /invalid metric name/],
    ['an HTML page', '<html><body>oops</body></html>', 1, /invalid metric name/],
  ])('rejects %s with the line number', (_what, text, line, msg) => {
    const e = parseErr(text);
    expect(e.line).toBe(line);
    expect(e.message).toMatch(msg);
  });

  it('is bounded by line length and sample count', () => {
    expect(parseErr(`m{a="${'x'.repeat(200)}"} 1`, { maxLineLength: 100 }).message).toMatch(/longer than 100/);
    const many = Array.from({ length: 11 }, (_, i) => `m{i="${i}"} 1`).join('\n');
    const e = parseErr(many, { maxSamples: 10 });
    expect(e.line).toBe(11);
    expect(e.message).toMatch(/more than 10 samples/);
  });

  it('tolerates CRLF line endings and surrounding blanks', () => {
    const r = parseExposition('# TYPE m gauge\r\nm{a="b"} 2\r\n\r\n');
    expect(r.samples).toEqual([{ name: 'm', labels: { a: 'b' }, value: 2 }]);
  });
});

describe('parseExposition (OpenMetrics 1.0)', () => {
  const om = [
    '# TYPE acme_http_router_request_seconds summary',
    '# UNIT acme_http_router_request_seconds seconds',
    '# HELP acme_http_router_request_seconds Latency though all of ACME\'s global \\"router\\".',
    'acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32',
    'acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0',
    'acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0',
    '# TYPE foo counter',
    'foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67',
    'foo_created 1520872607.123',
    '# TYPE gh gaugehistogram',
    'gh_bucket{le="1"} 3',
    'gh_bucket{le="+Inf"} 5',
    'gh_gcount 5',
    'gh_gsum 7.5',
    '# TYPE info_metric info',
    'info_metric_info{version="1.0"} 1',
    '# EOF',
    '',
  ].join('\n');

  it('parses UNIT, HELP escapes, float-second timestamps, _created and exemplars (ignored)', () => {
    const r = parseExposition(om, { contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    expect(r.format).toBe('openmetrics');
    const fam = r.families.get('acme_http_router_request_seconds');
    expect(fam).toEqual({ name: 'acme_http_router_request_seconds', type: 'summary', unit: 'seconds', help: 'Latency though all of ACME\'s global "router".' });
    const foo = r.samples.find((s) => s.name === 'foo_total');
    expect(foo).toEqual({ name: 'foo_total', labels: {}, value: 17, timestampMs: 1520879607789 });
    expect(r.samples.find((s) => s.name === 'foo_created')?.value).toBe(1520872607.123);
    expect(r.families.get('gh')?.type).toBe('gaugehistogram');
    expect(r.samples.filter((s) => s.name.startsWith('gh'))).toHaveLength(4);
    expect(r.samples).toHaveLength(10);
  });

  it('detects OpenMetrics by the trailing # EOF', () => {
    expect(detectFormat(om)).toBe('openmetrics');
    expect(detectFormat('m 1\n')).toBe('text');
    expect(detectFormat('m 1\n', 'text/plain; version=0.0.4')).toBe('text');
  });

  it.each([
    ['a missing # EOF', 'm 1\n', /missing "# EOF"/],
    ['content after # EOF', 'm 1\n# EOF\nm 2\n', /after "# EOF"/],
    ['an empty line', 'm 1\n\n# EOF\n', /empty lines/],
    ['an unknown comment', '# hello\nm 1\n# EOF\n', /unexpected comment/],
    ['a unit that is not a suffix', '# TYPE m_bytes gauge\n# UNIT m_bytes seconds\n# EOF\n', /not a suffix/],
    ['double spaces', 'm  1\n# EOF\n', /exactly one space/],
    ['the text-only type untyped', '# TYPE m untyped\n# EOF\n', /invalid metric type/],
  ])('rejects %s', (_what, text, msg) => {
    expect(parseErr(text, { format: 'openmetrics' }).message).toMatch(msg);
  });
});

describe('parseExposition round trip (property)', () => {
  it('reads back any label values and finite values it is given', async () => {
    const fc = (await import('fast-check')).default;
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
    const lname = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/);
    fc.assert(
      fc.property(name, fc.dictionary(lname, fc.string({ unit: 'binary', maxLength: 30 }), { maxKeys: 5 }), fc.double({ noNaN: true, noDefaultInfinity: true }), (n, labels, value) => {
        const body = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
        const om = Math.abs(value) < 1e300 ? String(value) : value.toExponential();
        for (const format of ['text', 'openmetrics'] as const) {
          const text = `${n}{${body}} ${om}\n${format === 'openmetrics' ? '# EOF\n' : ''}`;
          const r = parseExposition(text, { format });
          expect(r.samples).toHaveLength(1);
          expect(r.samples[0].name).toBe(n);
          expect(r.samples[0].labels).toEqual({ ...labels });
          expect(r.samples[0].value).toBe(Number(om));
        }
      }),
      { numRuns: 300 },
    );
  });
});
