import { defineBackendPlugin } from '@custom-metrics/core';
import type { BackendContext } from '@custom-metrics/core';
import type { ScrapeBackendConfig } from './config.js';
import { scrapeConfigSchema } from './config-schema.js';
import { ScrapeBackend, type ScrapeBackendOptions } from './scrape-backend.js';

/** Test and embedding hooks for {@link createScrapeBackend} (a clock); production uses the defaults. */
export type ScrapeBackendDeps = ScrapeBackendOptions;

/**
 * createScrapeBackend validates `config` (throws `ScrapeConfigError` naming the bad field) and
 * builds one backend instance; scraping starts with its `start()`.
 */
export function createScrapeBackend(ctx: BackendContext, config: ScrapeBackendConfig, deps: ScrapeBackendDeps = {}): ScrapeBackend {
  return new ScrapeBackend(ctx, config, deps);
}

/**
 * The `scrape` backend plugin: scrapes Prometheus text / OpenMetrics endpoints itself (static
 * targets and annotated pods) and serves window functions over the samples as custom and external
 * metrics — no Prometheus needed.
 */
export const scrapeBackend = defineBackendPlugin<ScrapeBackendConfig>({
  name: 'scrape',
  configSchema: scrapeConfigSchema,
  create: (ctx, config) => createScrapeBackend(ctx, config),
});
