// The public surface of @custom-metrics/backend-datadog/testing: doubles for tests of code built on
// this backend. Test-only; never imported by the runtime entry point.

// --- in-process fake client (fake-client.ts, series-store.ts)
export { FakeDatadogClient } from './fake-client.js';
export { storeResolver, filterOf } from './series-store.js';
export type { StoredSeries } from './series-store.js';

// --- HTTP double of the metrics query API on loopback (datadog-double.ts)
export { startDatadogDouble, validateRequest } from './datadog-double.js';
export type { DatadogDouble, DatadogDoubleOptions, DoubleSeries, RecordedCall, ScriptedAnswer } from './datadog-double.js';
