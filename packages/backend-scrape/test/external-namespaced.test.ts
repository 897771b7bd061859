// External metrics are namespaced by default: over real loopback exporters, an HPA in namespace
// `evil` never reads the series of namespace `other`; a rule opts out with `namespaced: false`.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Selector } from '@custom-metrics/core';
import { fakeBackendContext } from '@custom-metrics/core/testing';
import { scrapeBackend, type ScrapeBackend } from '@custom-metrics/backend-scrape';
import { waitFor } from '../../../test-support/index.js';
import { startExporter, type TestExporter } from '@custom-metrics/backend-scrape/testing';

const signal = () => new AbortController().signal;

describe('external metrics of the scrape backend are namespaced by default', () => {
  let exporter: TestExporter;
  beforeAll(async () => {
    exporter = await startExporter((_req: unknown, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(['# TYPE queue_depth gauge', 'queue_depth{queue="orders",namespace="other"} 5', 'queue_depth{queue="mail",namespace="evil"} 2', 'queue_depth{queue="global"} 9', ''].join('\n'));
    });
  });
  afterAll(async () => {
    await exporter?.close();
  });

  it('serves a namespace only its own series (and series without a namespace label); namespaced: false and namespacedExternal change that', async () => {
    const ctx = fakeBackendContext();
    const backend = (await scrapeBackend.create(ctx, {
      objects: 'targets',
      interval: '200ms',
      // No pod/namespace on the target: the exposed `namespace` label is kept as is.
      targets: [{ url: exporter.url }],
      rules: [
        { metric: 'queue_depth', series: 'queue_depth', function: 'last', kind: 'external' },
        { metric: 'queue_depth_everywhere', series: 'queue_depth', function: 'last', kind: 'external', namespaced: false },
        { metric: 'queue_depth_strict', series: 'queue_depth', function: 'last', kind: 'external', namespacedExternal: true },
      ],
    })) as ScrapeBackend;
    const get = async (metric: string, namespace: string) =>
      (await backend.external!.getExternalMetric({ namespace, metricSelector: Selector.everything(), info: { metric }, signal: signal() }))
        .map((v) => `${v.metricLabels?.queue}=${v.value}`)
        .sort();
    try {
      await backend.start!();
      await waitFor('the first scrape', async () => (await get('queue_depth_everywhere', 'x')).length === 3, 10_000, 100);
      expect(await get('queue_depth', 'evil')).toEqual(['global=9', 'mail=2']);
      expect(await get('queue_depth', 'other')).toEqual(['global=9', 'orders=5']);
      expect(await get('queue_depth', 'nobody')).toEqual(['global=9']);
      expect(await get('queue_depth_everywhere', 'evil')).toEqual(['global=9', 'mail=2', 'orders=5']);
      expect(await get('queue_depth_strict', 'evil')).toEqual(['mail=2']);
    } finally {
      await backend.close!();
      ctx.shutdown();
    }
  });
});
