// The public surface of @custom-metrics/backend-scrape/testing: a fake scrape target for tests of
// code built on this backend. Test-only; never imported by the runtime entry point.

// --- fake target: a loopback HTTP exporter (test-exporter.ts)
export { startExporter, textHandler, exposition } from './test-exporter.js';
export type { TestExporter, ExposedSeries } from './test-exporter.js';
