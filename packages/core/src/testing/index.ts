// The public surface of @custom-metrics/core/testing: doubles and the provider conformance kit.
// Test-only code; it may use node:assert but nothing else with I/O.

// --- fake cluster and backend context (fake-kube.ts, fake-context.ts)
export { FakeKubeLookup, DEFAULT_FAKE_RESOURCES } from './fake-kube.js';
export type { FakeKubeLookupOptions, FakeResource } from './fake-kube.js';
export { fakeBackendContext, RecordingLogger, RecordingMetrics } from './fake-context.js';
export type { FakeBackendContext, FakeBackendContextOptions, LogRecord, RecordedCall } from './fake-context.js';

// --- in-memory providers (fake-providers.ts)
export { FakeCustomMetricsProvider, FakeExternalMetricsProvider } from './fake-providers.js';
export type { FakeCustomSeries, FakeExternalSeries, FakeProviderOptions } from './fake-providers.js';

// --- conformance kit (conformance-data.ts, custom-conformance.ts, external-conformance.ts)
export { customProviderConformance } from './custom-conformance.js';
export type { CustomConformanceOptions } from './custom-conformance.js';
export { externalProviderConformance } from './external-conformance.js';
export type { ExternalConformanceOptions } from './external-conformance.js';
export { conformanceData, CONFORMANCE_NAMESPACES } from './conformance-data.js';
export type {
  ConformanceCase,
  ConformanceCustomSample,
  ConformanceData,
  ConformanceDataOptions,
  ConformanceEnv,
  ConformanceExternalSeries,
  ConformanceResource,
  ConformanceTarget,
  CustomConformanceSetup,
  DeclaredStatus,
  DeclaredStatusOptions,
  ExternalConformanceSetup,
} from './conformance-data.js';
