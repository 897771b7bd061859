// The public surface of @custom-metrics/backend-influx/testing: doubles for tests of code built on
// this backend. Test-only; never imported by the runtime entry point.

// --- fake client (fake-client.ts, influxql-eval.ts)
export { FakeInfluxClient } from './fake-client.js';
export type { FakeInfluxPoint } from './influxql-eval.js';
