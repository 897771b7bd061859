import { describe, it } from 'vitest';
import { customProviderConformance, externalProviderConformance, type ConformanceData } from '@custom-metrics/core/testing';
import type { ScrapeBackendConfig } from '../src/config.js';
import { ScrapeBackend } from '../src/scrape-backend.js';

const config: ScrapeBackendConfig = {
  rules: [
    { metric: 'conformance_queue_length', series: 'cq_pods', function: 'last' },
    { metric: 'conformance_queue_length', series: 'cq_deployments', function: 'last', resource: 'deployments.apps' },
    { metric: 'conformance_queue_length', series: 'cq_nodes', function: 'last', resource: 'nodes' },
    { metric: 'conformance_requests', series: 'cr_pods', function: 'last' },
    { metric: 'conformance_Queue_Messages', series: 'queue_messages', function: 'last', kind: 'external' },
  ],
};

/** Writes the kit's data into the backend's store as one scrape would. */
function seed(backend: ScrapeBackend, data: ConformanceData): void {
  const now = Date.now();
  const samples = data.custom.map((s) => {
    const rule = backend.config.rules.find(
      (r) => r.kind === 'custom' && r.metric === s.info.metric && r.groupResource.resource === s.info.groupResource.resource && r.groupResource.group === s.info.groupResource.group,
    );
    if (!rule) throw new Error(`no rule for ${s.info.metric}`);
    const labels: Record<string, string> = { ...s.labels, [rule.objectLabel]: s.object.name };
    if (s.object.namespace) labels[rule.namespaceLabel] = s.object.namespace;
    return { name: rule.series, labels, value: s.value, tMs: now };
  });
  for (const e of data.external) samples.push({ name: 'queue_messages', labels: { ...e.labels }, value: e.value, tMs: now });
  backend.store.ingest('conformance', samples, now, 5000);
}

describe('ScrapeCustomProvider conformance', () => {
  for (const c of customProviderConformance(async ({ context }) => {
    const backend = new ScrapeBackend(context, config);
    return { provider: backend.custom!, seed: (d) => seed(backend, d), cleanup: () => backend.close() };
  })) it(c.name, c.run);
});

describe('ScrapeExternalProvider conformance', () => {
  for (const c of externalProviderConformance(async ({ context }) => {
    const backend = new ScrapeBackend(context, config);
    return { provider: backend.external!, seed: (d) => seed(backend, d), cleanup: () => backend.close() };
  })) it(c.name, c.run);
});
