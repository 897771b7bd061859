// Validates the walkthrough manifests (docs/walkthrough/) and ties the HPA's metric to the rules
// that produce it in deploy/03-config.yaml and docs/walkthrough/config-scrape.yaml.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseManifests, validateObject, type K8sObject } from './support/k8s-validate.js';

const file = (rel: string) => fileURLToPath(new URL(`../${rel}`, import.meta.url));
const load = (rel: string): K8sObject[] => parseManifests(readFileSync(file(rel), 'utf8'), rel);
const FILES = ['docs/walkthrough/sample-app.yaml', 'docs/walkthrough/hpa.yaml', 'docs/walkthrough/config-scrape.yaml'];

interface PodsMetric { type: string; pods?: { metric: { name: string }; target: { type: string; averageValue?: string } } }
const serverConfig = (rel: string) => {
  const cm = load(rel).find((o) => o.kind === 'ConfigMap') as K8sObject & { data: Record<string, string> };
  return parse(cm.data['config.yaml']) as { backends: Array<{ type: string; config: Record<string, unknown> }> };
};

describe('docs/walkthrough manifests', () => {
  for (const rel of FILES) {
    it(`${rel} validates against the Kubernetes schemas`, () => {
      const objs = load(rel);
      expect(objs.length).toBeGreaterThan(0);
      for (const o of objs) validateObject(o);
    });
  }

  const hpa = load('docs/walkthrough/hpa.yaml').find((o) => o.kind === 'HorizontalPodAutoscaler') as K8sObject & {
    spec: { scaleTargetRef: { kind: string; name: string }; metrics: PodsMetric[] };
  };
  const hpaMetric = hpa.spec.metrics.find((m) => m.type === 'Pods')!.pods!;

  it('the HPA targets the sample Deployment on a Pods metric averaging 500m', () => {
    const app = load('docs/walkthrough/sample-app.yaml');
    const deploy = app.find((o) => o.kind === 'Deployment')!;
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deploy.metadata.name });
    expect(hpa.metadata.namespace).toBe(deploy.metadata.namespace);
    expect(hpaMetric.target).toEqual({ type: 'AverageValue', averageValue: '500m' });
    const annotations = (deploy as unknown as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations;
    expect(annotations['prometheus.io/scrape']).toBe('true');
  });

  it("the HPA's metric is the name the Prometheus rule in deploy/03-config.yaml produces", () => {
    const prom = serverConfig('deploy/03-config.yaml').backends.find((b) => b.type === 'prometheus')!;
    const rules = prom.config.rules as Array<{ seriesQuery: string; name?: { matches: string; as: string } }>;
    const produced = rules.flatMap((r) => {
      const series = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(r.seriesQuery)![1];
      if (!r.name) return [series];
      const m = new RegExp(r.name.matches).exec(series);
      return m ? [r.name.as.replace(/\$\{(\d+)\}/g, (_, i: string) => m[Number(i)] ?? '')] : [];
    });
    expect(produced).toContain(hpaMetric.metric.name);
  });

  it('the scrape variant serves the same metric from http_requests_total', () => {
    const scrape = serverConfig('docs/walkthrough/config-scrape.yaml').backends.find((b) => b.type === 'scrape')!;
    const rules = scrape.config.rules as Array<{ metric: string; series: string; function: string }>;
    expect(rules).toContainEqual(expect.objectContaining({ metric: hpaMetric.metric.name, series: 'http_requests_total', function: 'rate' }));
  });
});
