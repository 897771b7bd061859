// The core provider conformance kit against the scrape backend, twice: with the kit's data
// scraped over HTTP from the fake target of ./testing (a loopback exporter; the real scrape path:
// fetch, parse, ingest), and written straight into the series store. No binary is involved: the
// scrape backend is its own metrics system.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customProviderConformance, externalProviderConformance, type ConformanceData } from '@custom-metrics/core/testing';
import { exposition, startExporter, textHandler, type ExposedSeries, type TestExporter } from '@custom-metrics/backend-scrape/testing';
import { createScrapeBackend, type ScrapeBackend, type ScrapeBackendConfig } from '../src/index.js';

const RULES: ScrapeBackendConfig['rules'] = [
  { metric: 'conformance_queue_length', series: 'cq_pods', function: 'last' },
  { metric: 'conformance_queue_length', series: 'cq_deployments', function: 'last', resource: 'deployments.apps' },
  { metric: 'conformance_queue_length', series: 'cq_nodes', function: 'last', resource: 'nodes' },
  { metric: 'conformance_requests', series: 'cr_pods', function: 'last' },
  { metric: 'conformance_Queue_Messages', series: 'queue_messages', function: 'last', kind: 'external' },
];

/** The kit's data as the series the rules read, tied to objects by each rule's labels. */
function seriesFor(backend: ScrapeBackend, data: ConformanceData): ExposedSeries[] {
  const out: ExposedSeries[] = data.custom.map((s) => {
    const rule = backend.config.rules.find(
      (r) => r.kind === 'custom' && r.metric === s.info.metric && r.groupResource.resource === s.info.groupResource.resource && r.groupResource.group === s.info.groupResource.group,
    );
    if (!rule) throw new Error(`no rule for ${s.info.metric}`);
    const labels: Record<string, string> = { ...s.labels, [rule.objectLabel]: s.object.name };
    if (s.object.namespace) labels[rule.namespaceLabel] = s.object.namespace;
    return { name: rule.series, labels, value: s.value };
  });
  for (const e of data.external) out.push({ name: 'queue_messages', labels: { ...e.labels }, value: e.value });
  return out;
}

/** Writes the kit's data into the backend's store as one scrape would. */
function ingest(backend: ScrapeBackend, data: ConformanceData): void {
  const now = Date.now();
  const samples = seriesFor(backend, data).map((s) => ({ name: s.name, labels: { ...s.labels }, value: s.value, tMs: now }));
  backend.store.ingest('conformance', samples, now, 5000);
}

describe('conformance over a real scrape of the fake target', () => {
  let exporter: TestExporter;
  let body = '';
  beforeAll(async () => {
    exporter = await startExporter(textHandler(() => body));
  });
  afterAll(async () => {
    await exporter?.close();
  });
  const setup = (context: Parameters<typeof createScrapeBackend>[0]) => {
    const backend = createScrapeBackend(context, { rules: RULES, targets: [{ url: exporter.url }] });
    return {
      backend,
      seed: async (data: ConformanceData) => {
        body = exposition(seriesFor(backend, data));
        expect(await backend.scraper.scrapeOnce(backend.config.staticTargets[0])).toBe(true);
      },
      cleanup: () => backend.close(),
    };
  };
  describe('custom', () => {
    for (const c of customProviderConformance(async ({ context }) => {
      const { backend, ...rest } = setup(context);
      return { provider: backend.custom!, ...rest };
    })) it(c.name, c.run);
  });
  describe('external', () => {
    for (const c of externalProviderConformance(async ({ context }) => {
      const { backend, ...rest } = setup(context);
      return { provider: backend.external!, ...rest };
    })) it(c.name, c.run);
  });
});

describe('conformance with data written into the series store', () => {
  describe('custom', () => {
    for (const c of customProviderConformance(async ({ context }) => {
      const backend = createScrapeBackend(context, { rules: RULES });
      return { provider: backend.custom!, seed: (d) => ingest(backend, d), cleanup: () => backend.close() };
    })) it(c.name, c.run);
  });
  describe('external', () => {
    for (const c of externalProviderConformance(async ({ context }) => {
      const backend = createScrapeBackend(context, { rules: RULES });
      return { provider: backend.external!, seed: (d) => ingest(backend, d), cleanup: () => backend.close() };
    })) it(c.name, c.run);
  });
});
