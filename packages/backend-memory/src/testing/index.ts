// The public surface of @custom-metrics/backend-memory/testing: helpers for tests of code built on
// this backend. Test-only; never imported by the runtime entry point.

// --- seeding a store with the conformance kit's samples (seed.ts)
export { seedMemoryStore } from './seed.js';

// --- calling the write routes without a server (write-request.ts)
export { writeRouteRequest } from './write-request.js';
export type { WriteRouteRequestOptions } from './write-request.js';
