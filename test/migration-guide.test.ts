// docs/migrating-from-prometheus-adapter.md, checked against what it says: its two example
// configs (prometheus-adapter's file, and ours with the adapter's keys copied under the backend's
// `config`, as the guide tells the reader) pass `validate-config` through the real CLI and are
// served by the real server binary from a real Prometheus; upstream's `docs/sample-config.yaml`
// as published (fixture, verbatim) is not valid YAML, and the fix the guide gives makes it load.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument, stringify } from 'yaml';
import { requireBinary, tempDir, waitFor } from '../test-support/index.js';
import { startExporter, type TestExporter } from '../packages/backend-prometheus/test/support/exporter.js';
import { startPrometheus, type PrometheusProcess } from '../packages/backend-prometheus/test/support/prometheus.js';
import { startChildServer, type ChildServer } from '../packages/server/test/support/child-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const GUIDE = readFileSync(join(root, 'docs/migrating-from-prometheus-adapter.md'), 'utf8');
const PUBLISHED = readFileSync(join(root, 'packages/backend-prometheus/test/fixtures/adapter-sample-config.published.yaml'), 'utf8');
const BIN = join(root, 'packages/server/bin/custom-metrics-server.js');
const prometheusBin = requireBinary('prometheus', 'apt-get install prometheus');

/** The fenced ```yaml blocks of the guide's section `heading`, in order. */
function yamlBlocks(heading: string): string[] {
  const start = GUIDE.indexOf(`\n## ${heading}\n`);
  expect(start, `section "${heading}" in the guide`).toBeGreaterThan(0);
  const end = GUIDE.indexOf('\n## ', start + 1);
  const section = GUIDE.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

type Obj = Record<string, unknown>;

/** Ours with the adapter's `rules`, `externalRules` and `resourceRules` copied under the backend's config. */
function combined(url?: string): { config: Obj; backend: Obj } {
  const [adapterText, oursText] = yamlBlocks('1. The config file');
  expect(adapterText && oursText).toBeTruthy();
  const adapter = parseDocument(adapterText!, { uniqueKeys: true });
  expect(adapter.errors).toEqual([]);
  const ours = parse(oursText!) as { backends: Array<{ config: Obj }> };
  const backend = ours.backends[0]!.config;
  const keys = Object.keys(adapter.toJS() as Obj);
  expect(keys.sort()).toEqual(['externalRules', 'resourceRules', 'rules']);
  for (const k of keys) backend[k] = (adapter.toJS() as Obj)[k];
  if (url) backend.url = url;
  return { config: ours as unknown as Obj, backend };
}

function validateConfigCli(dir: string, config: unknown): Promise<{ code: number; out: string }> {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify(config));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'validate-config', file], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, out: stdout + stderr }),
    );
  });
}

describe('the migration guide, checked', () => {
  const dir = tempDir('migration-guide');
  afterAll(() => dir.remove());

  it('section 1: the adapter file copied under our backend config passes validate-config (real CLI)', async () => {
    const run = await validateConfigCli(dir.path, combined().config);
    expect(run.out).toBe('config OK\n');
    expect(run.code).toBe(0);
  }, 90_000);

  describe("upstream's docs/sample-config.yaml as published", () => {
    // The fix the guide quotes: the value single-quoted (and the alternative, escaped quotes).
    const quoted = /`(metricsQuery: '[^`]+')`/.exec(GUIDE)?.[1];
    const escapedHint = /escaping the inner quotes as `\\"POD\\"`/.test(GUIDE);
    const singleQuote = (text: string) => text.replace(/^(\s*metricsQuery: )"(.*)"\s*$/gm, "$1'$2'");
    const escape = (text: string) => text.replace(/^(\s*metricsQuery: )"(.*)"\s*$/gm, (_m, k: string, v: string) => `${k}"${v.replace(/"/g, '\\"')}"`);

    it('is not valid YAML: the double-quoted metricsQuery values hold unescaped quotes', () => {
      const doc = parseDocument(PUBLISHED);
      expect(doc.errors.length).toBeGreaterThan(0);
      expect(PUBLISHED).toContain('metricsQuery: "sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[2m])) by (<<.GroupBy>>)"');
    }, 90_000);

    it('loads after the fix the guide gives (single quotes, or escaped inner quotes), with the same values', async () => {
      expect(quoted).toBe(`metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[2m])) by (<<.GroupBy>>)'`);
      expect(singleQuote(PUBLISHED)).toContain(quoted);
      expect(escapedHint).toBe(true);
      const fixed = parseDocument(singleQuote(PUBLISHED), { uniqueKeys: true });
      expect(fixed.errors).toEqual([]);
      const alt = parseDocument(escape(PUBLISHED), { uniqueKeys: true });
      expect(alt.errors).toEqual([]);
      expect(alt.toJS()).toEqual(fixed.toJS());
      const upstream = fixed.toJS() as Obj;
      const run = await validateConfigCli(dir.path, {
        backends: [{ name: 'prom', type: 'prometheus', config: { url: 'http://127.0.0.1:9090', rules: upstream.rules, externalRules: upstream.externalRules } }],
      });
      expect(run.out).toBe('config OK\n');
      expect(run.code).toBe(0);
    }, 90_000);
  });

  describe.skipIf(!prometheusBin)('section 1 served by the real server from a real Prometheus', () => {
    let exporter: TestExporter;
    let prom: PrometheusProcess;
    let server: ChildServer;
    const sdir = tempDir('migration-guide-serve');

    beforeAll(async () => {
      exporter = await startExporter([
        { name: 'container_cpu_usage_seconds_total', labels: { namespace: 'default', pod: 'web-1', container: 'app' }, value: 12 },
        { name: 'container_memory_working_set_bytes', labels: { namespace: 'default', pod: 'web-1', container: 'app' }, value: 1048576 },
        { name: 'queue_depth', labels: { topic: 'orders', name: 'orders', namespace: 'queues' }, value: 5 },
      ]);
      prom = await startPrometheus(prometheusBin as string, exporter.port);
      await waitFor('two scrapes (rate needs two samples)', async () => ((await prom.query('count_over_time(queue_depth[1m])'))[0]?.value ?? 0) >= 2, 30_000, 250);
      const { config } = combined(prom.url);
      const text = stringify({ ...config, standalone: { objects: [{ resource: 'pods', namespace: 'default', name: 'web-1' }] } });
      server = await startChildServer(sdir.path, text.trimEnd().split('\n'));
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
      await prom?.dispose();
      await exporter?.stop();
      sdir.remove();
    });

    it('serves the custom metric the adapter rule names (cpu_usage on pods), equal to the PromQL the rule builds', async () => {
      const res = await server.get('/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/web-1/cpu_usage');
      expect(res.status, res.body).toBe(200);
      const [item] = (JSON.parse(res.body) as { items: Array<{ describedObject: { name: string }; value: string }> }).items;
      expect(item?.describedObject.name).toBe('web-1');
      // A constant counter: Prometheus' rate over it is 0, and so is the served value.
      const [direct] = await prom.query('sum(rate(container_cpu_usage_seconds_total{namespace="default",pod="web-1",container!="POD"}[2m])) by (pod)');
      expect(Number(item?.value)).toBe(direct?.value);
    }, 90_000);

    it('serves the namespaced: false external rule from any namespace, and resource metrics from resourceRules', async () => {
      const ext = await server.get('/apis/external.metrics.k8s.io/v1beta1/namespaces/elsewhere/queue_depth');
      expect(ext.status, ext.body).toBe(200);
      expect((JSON.parse(ext.body) as { items: Array<{ value: string; metricLabels: Obj }> }).items).toMatchObject([{ value: '5', metricLabels: { name: 'orders' } }]);
      const pod = await server.get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1');
      expect(pod.status, pod.body).toBe(200);
      expect((JSON.parse(pod.body) as { containers: Array<{ name: string; usage: { memory: string } }> }).containers).toMatchObject([{ name: 'app', usage: { memory: '1Mi' } }]);
    }, 90_000);
  });
});
