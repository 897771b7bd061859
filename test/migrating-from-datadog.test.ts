// docs/migrating-from-datadog.md is checked the way a reader uses it: every example config the page
// writes (<!-- file: NAME --> markers, test/support/doc-snippets.ts) passes the real
// `custom-metrics-server validate-config`, the HPA manifests are valid autoscaling/v2 objects, and
// each config, loaded into the server against the Datadog double, answers the page's HPAs with
// the query the Cluster Agent (DatadogMetric, convention) or KEDA (the ScaledObject) would send.
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseQuantity, type BackendPlugin, type KubeObject } from '@custom-metrics/core';
import { FakeKubeLookup } from '@custom-metrics/core/testing';
import datadogBackend from '@custom-metrics/backend-datadog';
import type { DatadogDouble } from '@custom-metrics/backend-datadog/testing';
import { tempDir } from '../test-support/index.js';
import { startTestServer, type TestServer } from '../packages/server/test/support/harness.js';
import { API_KEY, APP_KEY, startDouble } from '../packages/backend-datadog/test/support/harness.js';
import { docSteps } from './support/doc-snippets.js';
import { parseManifests, validateObject, type K8sObject } from './support/k8s-validate.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const PAGE = 'docs/migrating-from-datadog.md';
const BIN = join(root, 'packages/server/bin/custom-metrics-server.js');
const files = new Map(
  docSteps(readFileSync(join(root, PAGE), 'utf8'), PAGE).flatMap((s) => (s.kind === 'file' ? [[s.name, s.content] as const] : [])),
);
const file = (name: string): string => {
  const text = files.get(name);
  if (text === undefined) throw new Error(`${PAGE} has no <!-- file: ${name} --> block`);
  return text;
};
const CONFIGS = ['cluster-agent-config.yaml', 'keda-config.yaml'];

interface ExternalSpec {
  metric: { name: string; selector?: { matchLabels?: Record<string, string> } };
  target: { type: string; value?: string; averageValue?: string };
}
const hpaMetric = (hpa: K8sObject): ExternalSpec => ((hpa.spec as { metrics: Array<{ external: ExternalSpec }> }).metrics[0] as { external: ExternalSpec }).external;

describe(`${PAGE}: example configs`, () => {
  const dir = tempDir('migrating-dd');
  afterAll(() => dir.remove());

  it('has the example files the page promises', () => {
    expect([...files.keys()].sort()).toEqual(['cluster-agent-config.yaml', 'datadogmetric-hpa.yaml', 'keda-config.yaml', 'keda-hpa.yaml', 'keda-scaledobject.yaml']);
  });

  for (const name of CONFIGS) {
    it(`${name} passes custom-metrics-server validate-config`, async () => {
      const path = join(dir.path, name);
      writeFileSync(path, file(name));
      const res = await new Promise<{ code: number; out: string }>((resolve) => {
        execFile(
          process.execPath,
          [BIN, 'validate-config', path],
          { env: { PATH: process.env.PATH ?? '', DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY }, timeout: 60_000 },
          (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
      });
      expect(res.out).toContain('config OK');
      expect(res.code).toBe(0);
    }, 70_000);
  }

  it('the HPA manifests are valid autoscaling/v2 objects', () => {
    const hpas = [...parseManifests(file('datadogmetric-hpa.yaml'), 'datadogmetric-hpa.yaml'), ...parseManifests(file('keda-hpa.yaml'), 'keda-hpa.yaml')].filter(
      (o) => o.kind === 'HorizontalPodAutoscaler',
    );
    expect(hpas).toHaveLength(2);
    for (const h of hpas) validateObject(h);
  });
});

describe(`${PAGE}: the examples served against the Datadog double`, () => {
  let dd: DatadogDouble;
  let server: TestServer | undefined;
  const saved = { api: process.env.DD_API_KEY, app: process.env.DD_APP_KEY };
  const now = () => Math.floor(Date.now() / 1000) * 1000;

  beforeAll(async () => {
    dd = await startDouble({ resolve: () => [{ tags: [], points: [[now(), 11]] }] });
    process.env.DD_API_KEY = API_KEY;
    process.env.DD_APP_KEY = APP_KEY;
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    dd.calls.length = 0;
  });
  afterAll(async () => {
    await dd?.stop();
    for (const [k, v] of [['DD_API_KEY', saved.api], ['DD_APP_KEY', saved.app]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  /** The page's config with the Datadog site pointed at the double, served with `objects` as the cluster. */
  async function serve(name: string, objects: KubeObject[] = []): Promise<TestServer> {
    const cfg = parse(file(name)) as { backends: Array<{ config: Record<string, unknown> }> };
    delete cfg.backends[0]!.config.site;
    cfg.backends[0]!.config.baseUrl = dd.url;
    const kube = new FakeKubeLookup({
      resources: [{ groupResource: { group: 'datadoghq.com', resource: 'datadogmetrics' }, gvk: { group: 'datadoghq.com', version: 'v1alpha1', kind: 'DatadogMetric' }, namespaced: true }],
      objects,
    });
    server = await startTestServer({ config: cfg as unknown as Record<string, unknown>, kube, plugins: { '@custom-metrics/backend-datadog': datadogBackend as BackendPlugin }, now: () => new Date() });
    return server;
  }

  const windowMs = (query: string): number => {
    const call = dd.calls.find((c) => c.queries.includes(query));
    if (!call) throw new Error(`Datadog was not asked ${query}; it was asked ${JSON.stringify(dd.calls.map((c) => c.queries))}`);
    const a = (call.body as { data: { attributes: { from: number; to: number } } }).data.attributes;
    return a.to - a.from;
  };

  it("Cluster Agent: the page's HPA reads the page's DatadogMetric, over its timeWindow", async () => {
    const [ddm, hpa] = parseManifests(file('datadogmetric-hpa.yaml'), 'datadogmetric-hpa.yaml') as [K8sObject, K8sObject];
    expect(ddm.kind).toBe('DatadogMetric');
    const spec = ddm.spec as { query: string; timeWindow: string };
    const s = await serve('cluster-agent-config.yaml', [
      { gvk: { group: 'datadoghq.com', version: 'v1alpha1', kind: 'DatadogMetric' }, namespace: ddm.metadata.namespace!, name: ddm.metadata.name, labels: {}, annotations: {}, spec },
    ]);
    const metric = hpaMetric(hpa).metric.name;
    expect(metric).toBe(`datadogmetric@${ddm.metadata.namespace}:${ddm.metadata.name}`);
    const res = await s.getJSON(`/apis/external.metrics.k8s.io/v1beta1/namespaces/${hpa.metadata.namespace}/${metric}`);
    expect(res.status, res.body).toBe(200);
    expect((res.json as { items: Array<{ value: string }> }).items.map((i) => i.value)).toEqual(['11']);
    expect(windowMs(spec.query)).toBe(5 * 60_000);
  });

  it('Cluster Agent: a plain metric name with labels gets the query the page quotes', async () => {
    const s = await serve('cluster-agent-config.yaml');
    const res = await s.getJSON('/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/nginx.net.request_per_s?labelSelector=kube_container_name%3Dnginx');
    expect(res.status, res.body).toBe(200);
    const quoted = 'avg:nginx.net.request_per_s{kube_container_name:nginx}.rollup(30)';
    expect(readFileSync(join(root, PAGE), 'utf8')).toContain(quoted);
    expect(windowMs(quoted)).toBe(300_000);
  });

  it("KEDA: the HPA's metric sends the ScaledObject's query over its age, and targets its queryValue", async () => {
    const [so] = parseManifests(file('keda-scaledobject.yaml'), 'keda-scaledobject.yaml') as [K8sObject];
    const trigger = (so.spec as { triggers: Array<{ type: string; metricType: string; metadata: { query: string; queryValue: string; age: string } }> }).triggers[0]!;
    expect(trigger.type).toBe('datadog');
    const [hpa] = parseManifests(file('keda-hpa.yaml'), 'keda-hpa.yaml') as [K8sObject];
    const ext = hpaMetric(hpa);
    expect(hpa.metadata.namespace).toBe(so.metadata.namespace);
    expect(ext.target.type).toBe(trigger.metricType);
    expect(parseQuantity(ext.target.value!).toNumber()).toBe(Number(trigger.metadata.queryValue));
    const s = await serve('keda-config.yaml');
    const res = await s.getJSON(`/apis/external.metrics.k8s.io/v1beta1/namespaces/${hpa.metadata.namespace}/${ext.metric.name}`);
    expect(res.status, res.body).toBe(200);
    expect(windowMs(trigger.metadata.query)).toBe(Number(trigger.metadata.age) * 1000);
  });
});
