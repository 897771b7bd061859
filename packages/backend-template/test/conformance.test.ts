// Core's provider conformance kit against this backend over its fake client. When the metrics
// system has a binary that runs on loopback, add a second run against it (see backend-influx's
// conformance test), skipped loudly without it and failing under CI=true (requireBinary).
import { describe, it } from 'vitest';
import { customProviderConformance, externalProviderConformance } from '@custom-metrics/core/testing';
import type { ConformanceData } from '@custom-metrics/core/testing';
import { FakeTemplateClient } from '@custom-metrics/backend-template/testing';
import type { FakeSeries } from '@custom-metrics/backend-template/testing';
import { createTemplateBackend } from '../src/index.js';
import type { TemplateBackendConfig } from '../src/index.js';

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

describe('custom metrics conformance (FakeTemplateClient)', () => {
  for (const c of customProviderConformance(async ({ context }) => {
    const client = new FakeTemplateClient();
    const instance = createTemplateBackend(context, config, { client });
    return { provider: instance.custom!, seed: (d) => client.serve(seriesFor(d)), cleanup: () => instance.close?.() };
  })) {
    it(c.name, c.run);
  }
});

describe('external metrics conformance (FakeTemplateClient)', () => {
  for (const c of externalProviderConformance(async ({ context }) => {
    const client = new FakeTemplateClient();
    const instance = createTemplateBackend(context, config, { client });
    return { provider: instance.external!, seed: (d) => client.serve(seriesFor(d)), cleanup: () => instance.close?.() };
  })) {
    it(c.name, c.run);
  }
});
