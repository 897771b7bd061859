// Renders charts/custom-metrics-server (with the Helm-subset renderer) into parsed objects.
import { join } from 'node:path';
import { HelmRenderer } from './helm-render.js';
import { parseManifests, type K8sObject } from './k8s-validate.js';
import { repoRoot } from './manifests.js';

const chart = new HelmRenderer(join(repoRoot, 'charts/custom-metrics-server'));
export const release = { name: 'cms', namespace: 'metrics' };

/** `helm template cms charts/custom-metrics-server -n metrics` with these values, parsed. */
export function renderChart(values: Record<string, unknown> = {}): K8sObject[] {
  const files = chart.render(values, release);
  return [...files].flatMap(([f, text]) => parseManifests(text, f));
}

export const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind) as any[];

/** The pod spec of the chart's Deployment. */
export function podSpec(objs: K8sObject[]): any {
  const [d] = byKind(objs, 'Deployment');
  return d.spec.template.spec;
}
