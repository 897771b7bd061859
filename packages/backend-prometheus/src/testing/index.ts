// The public surface of @custom-metrics/backend-prometheus/testing: doubles for tests of code built
// on this backend. Test-only; never imported by the runtime entry point.

// --- fake client (fake-client.ts, selector-eval.ts)
export { FakePrometheusClient } from './fake-client.js';
export type { FakeSeries } from './fake-client.js';
