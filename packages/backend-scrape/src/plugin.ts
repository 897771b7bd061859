import { defineBackendPlugin } from '@custom-metrics/core';
import type { ScrapeBackendConfig } from './config.js';
import { scrapeConfigSchema } from './config-schema.js';
import { ScrapeBackend } from './scrape-backend.js';

/**
 * The `scrape` backend plugin: scrapes Prometheus text / OpenMetrics endpoints itself (static
 * targets and annotated pods) and serves window functions over the samples as custom and external
 * metrics — no Prometheus needed.
 */
export const scrapeBackend = defineBackendPlugin<ScrapeBackendConfig>({
  name: 'scrape',
  configSchema: scrapeConfigSchema,
  create: (ctx, config) => new ScrapeBackend(ctx, config),
});
