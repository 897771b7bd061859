// Core's provider conformance kit against this backend over its fake client. The failing targets
// use the real HTTP client against a closed loopback port (unreachable) and answers the metrics
// API can give (a 400 for a query it refuses, a body that is not JSON). When the metrics system
// has a binary that runs on loopback, add a second run against it (see backend-influx's
// conformance test), skipped loudly without it and failing under CI=true (requireBinary).
import { describe, it } from 'vitest';
import { customProviderConformance, externalProviderConformance } from '@custom-metrics/core/testing';
import type { ConformanceData } from '@custom-metrics/core/testing';
import { FakeTemplateClient } from '@custom-metrics/backend-template/testing';
import type { FakeSeries } from '@custom-metrics/backend-template/testing';
import { createTemplateBackend } from '../src/index.js';
import type { TemplateBackendConfig } from '../src/index.js';
import type { BackendContext, BackendFailureKind, BackendInstance } from '@custom-metrics/core';

const config: TemplateBackendConfig = {
  url: 'http://127.0.0.1:1',
  custom: [
    { metric: 'conformance_queue_length', resource: 'pods' },
    { metric: 'conformance_requests', resource: 'pods' },
    { metric: 'conformance_queue_length', resource: 'deployments.apps' },
    { metric: 'conformance_queue_length', resource: 'nodes' },
  ],
  external: [{ metric: 'conformance_Queue_Messages' }],
};

/** The kit's data as the metrics API would hold it: objects tied by `pod`/`deployment`/`node` and `namespace` labels. */
function seriesFor(data: ConformanceData): FakeSeries[] {
  const timestampMs = data.timestamp.getTime();
  const out: FakeSeries[] = data.custom.map((s) => ({
    series: s.info.metric,
    labels: { ...s.labels, ...(s.object.namespace ? { namespace: s.object.namespace } : {}), [s.object.gvk.kind.toLowerCase()]: s.object.name },
    value: s.value,
    timestampMs,
  }));
  for (const e of data.external) out.push({ series: e.metric, labels: { ...e.labels }, value: e.value, timestampMs });
  return out;
}

/** Providers whose metrics API fails in one way each, through the real HTTP client. */
function failing<P>(context: BackendContext, pick: (i: BackendInstance) => P | undefined): Partial<Record<BackendFailureKind, () => P>> {
  const make = (c: TemplateBackendConfig, fetch?: typeof globalThis.fetch) => pick(createTemplateBackend(context, c, fetch ? { fetch } : {}))!;
  const answering = (body: string, status: number) => make(config, async () => new Response(body, { status }));
  return {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    unreachable: () => make({ ...config, url: 'http://127.0.0.1:1' }),
    rejected: () => answering('{"error":"unknown label"}', 400),
    malformed: () => answering('<html>not json</html>', 200),
    credentials: () => answering('', 401),
    throttled: () => answering('', 429),
  };
}

describe('custom metrics conformance (FakeTemplateClient)', () => {
  for (const c of customProviderConformance(async ({ context }) => {
    const client = new FakeTemplateClient();
    const instance = createTemplateBackend(context, config, { client });
    return { provider: instance.custom!, seed: (d) => client.serve(seriesFor(d)), cleanup: () => instance.close?.(), failing: failing(context, (i) => i.custom) };
  })) {
    it(c.name, c.run);
  }
});

describe('external metrics conformance (FakeTemplateClient)', () => {
  for (const c of externalProviderConformance(async ({ context }) => {
    const client = new FakeTemplateClient();
    const instance = createTemplateBackend(context, config, { client });
    return { provider: instance.external!, seed: (d) => client.serve(seriesFor(d)), cleanup: () => instance.close?.(), failing: failing(context, (i) => i.external) };
  })) {
    it(c.name, c.run);
  }
});
