import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { parseExposition } from '../src/parse/exposition-parser.js';
import { requireBinary } from '../../../test-support/index.js';
import { startPrometheus, type RealPrometheus } from './support/prometheus.js';

function fill(reg: Registry): void {
  const c = new Counter({ name: 'app_requests_total', help: 'Requests with "quotes" and \\ backslash\nnewline', labelNames: ['path', 'code'], registers: [reg] });
  c.inc({ path: '/a"b\\c\nd', code: '200' }, 3);
  c.inc({ path: '/', code: '500' });
  new Gauge({ name: 'app_queue_depth', help: 'Queue depth', registers: [reg] }).set(NaN);
  const g = new Gauge({ name: 'app_temperature', help: 'Temp', registers: [reg] });
  g.set(-Infinity);
  const h = new Histogram({ name: 'app_latency_seconds', help: 'Latency', buckets: [0.1, 1], registers: [reg] });
  h.observe(0.05);
  h.observe(2);
  const s = new Summary({ name: 'app_size_bytes', help: 'Size', percentiles: [0.5, 0.9], registers: [reg] });
  s.observe(10);
  s.observe(20);
}

describe('the parser on what prom-client emits', () => {
  it('parses the text format', async () => {
    const reg = new Registry();
    fill(reg);
    const r = parseExposition(await reg.metrics(), { contentType: reg.contentType });
    expect(r.format).toBe('text');
    const c = r.samples.filter((s) => s.name === 'app_requests_total');
    expect(c).toContainEqual({ name: 'app_requests_total', labels: { path: '/a"b\\c\nd', code: '200' }, value: 3 });
    expect(r.families.get('app_requests_total')).toMatchObject({ type: 'counter', help: 'Requests with "quotes" and \\ backslash\nnewline' });
    expect(r.samples.find((s) => s.name === 'app_queue_depth')?.value).toBeNaN();
    expect(r.samples.find((s) => s.name === 'app_temperature')?.value).toBe(-Infinity);
    expect(r.samples.find((s) => s.name === 'app_latency_seconds_bucket' && s.labels.le === '+Inf')?.value).toBe(2);
    expect(r.samples.find((s) => s.name === 'app_latency_seconds_count')?.value).toBe(2);
    expect(r.samples.find((s) => s.name === 'app_size_bytes' && s.labels.quantile === '0.9')).toBeDefined();
    expect(r.families.get('app_size_bytes')?.type).toBe('summary');
  });

  it('parses the OpenMetrics format', async () => {
    const reg = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
    reg.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    fill(reg as unknown as Registry);
    const text = await reg.metrics();
    const r = parseExposition(text, { contentType: reg.contentType });
    expect(r.format).toBe('openmetrics');
    expect(r.samples.find((s) => s.name === 'app_requests_total' && s.labels.code === '500')?.value).toBe(1);
    expect(r.families.get('app_requests')?.type ?? r.families.get('app_requests_total')?.type).toBe('counter');
    expect(r.samples.find((s) => s.name === 'app_latency_seconds_sum')?.value).toBeCloseTo(2.05, 9);
  });
});

const bin = requireBinary('prometheus', 'apt-get install prometheus');

describe.skipIf(!bin)('the parser on what the real Prometheus serves on /metrics', () => {
  let prom: RealPrometheus;
  beforeAll(async () => {
    prom = await startPrometheus(bin as string, [], '1s');
  });
  afterAll(async () => {
    await prom?.stop();
  });

  it('parses the text format (0.0.4)', async () => {
    const res = await fetch(`${prom.url}/metrics`, { headers: { accept: 'text/plain;version=0.0.4' } });
    const text = await res.text();
    const r = parseExposition(text, { contentType: res.headers.get('content-type') ?? undefined });
    expect(r.format).toBe('text');
    expect(r.samples.length).toBeGreaterThan(100);
    expect(r.families.get('prometheus_build_info')?.type).toBe('gauge');
    expect(r.samples.find((s) => s.name === 'prometheus_build_info')?.labels.version).toMatch(/^\d+\.\d+/);
    expect(r.samples.some((s) => s.name.endsWith('_bucket') && s.labels.le === '+Inf')).toBe(true);
    expect(r.samples.some((s) => s.labels.quantile !== undefined)).toBe(true);
    // Every sample line of the body was kept.
    const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(r.samples).toHaveLength(lines.length);
  });

  it('parses what it answers to an OpenMetrics Accept header (2.42 falls back to text on its own /metrics)', async () => {
    const res = await fetch(`${prom.url}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5' } });
    const ct = res.headers.get('content-type') ?? '';
    const r = parseExposition(await res.text(), { contentType: ct });
    expect(r.format).toBe(/openmetrics/.test(ct) ? 'openmetrics' : 'text');
    expect(r.samples.length).toBeGreaterThan(100);
    expect(r.samples.some((s) => s.name.endsWith('_total'))).toBe(true);
  });
});
