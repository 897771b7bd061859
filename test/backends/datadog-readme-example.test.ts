// The README's example config, loaded as it is written (only the Datadog endpoint and the key
// file are pointed at the local double) into the real server: the Cluster Agent convention must
// answer through the server, which it only does because the example sets `lookupOnDemand: true`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { BackendPlugin } from '@custom-metrics/core';
import { tempDir } from '../../test-support/index.js';
import { startTestServer, type TestServer } from '../../packages/server/test/support/harness.js';
import datadogBackend from '@custom-metrics/backend-datadog';
import { APP_KEY, ENV, startDouble } from '../../packages/backend-datadog/test/support/harness.js';
import type { DatadogDouble } from '@custom-metrics/backend-datadog/testing';

const README = readFileSync(new URL('../../packages/backend-datadog/README.md', import.meta.url), 'utf8');

/** The first ```yaml block after `## Example`, parsed. */
function readmeConfig(): { backends: Array<Record<string, unknown> & { config: Record<string, unknown> }> } {
  const section = README.slice(README.indexOf('## Example'));
  const m = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('no yaml block in the README example');
  return parse(m[1]) as ReturnType<typeof readmeConfig>;
}

const T0 = Math.floor(Date.now() / 1000) * 1000;
const CONVENTION_QUERY = 'avg:nginx.net.request_per_s{kube_container_name:nginx}.rollup(30)';
const PATH = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/nginx.net.request_per_s?labelSelector=kube_container_name%3Dnginx';

describe('backend-datadog README example through the server', () => {
  const dir = tempDir('dd-readme');
  let double: DatadogDouble;
  const servers: TestServer[] = [];
  const savedEnv = process.env.DD_API_KEY;

  beforeAll(async () => {
    double = await startDouble({ resolve: (q) => (q === CONVENTION_QUERY ? [{ tags: [], points: [[T0, 9]] }] : []) });
    process.env.DD_API_KEY = ENV.DD_API_KEY;
    writeFileSync(join(dir.path, 'app-key'), APP_KEY);
  });

  afterAll(async () => {
    for (const s of servers) await s.close();
    await double?.stop();
    if (savedEnv === undefined) delete process.env.DD_API_KEY;
    else process.env.DD_API_KEY = savedEnv;
    dir.remove();
  });

  /** The README config with only the endpoint and key file made local. */
  function localConfig(edit: (b: Record<string, unknown>) => void = () => undefined) {
    const cfg = readmeConfig();
    const b = cfg.backends[0];
    expect(b.type).toBe('datadog');
    delete b.config.site;
    b.config.baseUrl = double.url;
    b.config.appKey = { file: join(dir.path, 'app-key') };
    edit(b);
    return cfg as unknown as Record<string, unknown>;
  }

  const start = async (config: Record<string, unknown>) => {
    const s = await startTestServer({ config, plugins: { '@custom-metrics/backend-datadog': datadogBackend as BackendPlugin }, now: () => new Date() });
    servers.push(s);
    return s;
  };

  it('sets lookupOnDemand beside the convention, and the convention answers through the server', async () => {
    const cfg = readmeConfig();
    expect(cfg.backends[0].config.clusterAgentConvention).toEqual({ enabled: true });
    expect(cfg.backends[0].lookupOnDemand).toBe(true);
    const s = await start(localConfig());
    const res = await s.getJSON(PATH);
    expect(res.status, res.body).toBe(200);
    expect((res.json as { items: Array<{ metricName: string; value: string }> }).items.map((i) => [i.metricName, i.value])).toEqual([['nginx.net.request_per_s', '9']]);
    expect(double.calls.flatMap((c) => c.queries)).toContain(CONVENTION_QUERY);
  });

  it('without lookupOnDemand the same request is the 404 the old example gave', async () => {
    const s = await start(localConfig((b) => delete b.lookupOnDemand));
    const res = await s.getJSON(PATH);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });
});
