// The public surface of @custom-metrics/backend-scrape. Named exports only; `export type` for types.
import { scrapeBackend } from './plugin.js';

// --- plugin (plugin.ts, scrape-backend.ts, config.ts, config-schema.ts)
export { scrapeBackend, createScrapeBackend } from './plugin.js';
export type { ScrapeBackendDeps } from './plugin.js';
export default scrapeBackend;
export { ScrapeBackend, MAX_RING_CAPACITY } from './scrape-backend.js';
export { resolveConfig, parseDuration, ScrapeConfigError } from './config.js';
export type {
  ScrapeBackendConfig,
  StaticTargetConfig,
  KubernetesDiscoveryConfig,
  RuleConfig,
  Duration,
  CompiledRule,
  ResolvedConfig,
  ResolvedTarget,
} from './config.js';
export { scrapeConfigSchema as configSchema } from './config-schema.js';

// --- exposition parser (parse/)
export { parseExposition, detectFormat } from './parse/exposition-parser.js';
export { ExpositionParseError } from './parse/parse-error.js';
export type { ExpositionFormat, MetricType, ParsedSample, MetricFamilyMeta, ParseResult, ParseOptions } from './parse/sample.js';

// --- scraping (scrape/)
export { fetchMetrics, ScrapeError } from './scrape/fetch-metrics.js';
export type { FetchOptions, FetchedMetrics, ScrapeFailure } from './scrape/fetch-metrics.js';
export { Scraper, mergeLabels } from './scrape/scraper.js';
export type { ScraperOptions, TargetState } from './scrape/scraper.js';
export { podTargets, SCRAPE_ANNOTATIONS } from './scrape/pod-targets.js';

// --- window math (window/)
export { RingBuffer } from './window/ring-buffer.js';
export { applyWindowFunction, extrapolatedIncrease, WINDOW_FUNCTIONS } from './window/functions.js';
export type { WindowFunction, WindowSamples } from './window/functions.js';
export { SeriesStore, seriesKey, isStale } from './window/series-store.js';
export type { StoredSeries, IngestSample, IngestResult, SeriesStoreOptions } from './window/series-store.js';

// --- providers (rules/)
export { ScrapeCustomProvider } from './rules/custom-provider.js';
export type { ScrapeCustomProviderDeps } from './rules/custom-provider.js';
export { ScrapeExternalProvider } from './rules/external-provider.js';
export type { ScrapeExternalProviderDeps } from './rules/external-provider.js';
export { evaluateRule } from './rules/evaluate-rule.js';
export type { EvaluatedSeries } from './rules/evaluate-rule.js';
// The fake scrape target for tests is in the ./testing entry point.
