import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, resolveConfig, type ScrapeBackendConfig } from '@custom-metrics/backend-scrape';
import { startDemoApp, type DemoApp } from '../src/demo-app.js';
import { demoCommands, demoServerConfig } from '../src/demo-config.js';
import { startLoadGenerator } from '../src/load-generator.js';

describe('demo building blocks', () => {
  let app: DemoApp;
  beforeAll(async () => {
    app = await startDemoApp('demo-app-1');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the demo app exposes http_requests_total and queue_depth in text format, and the load reaches it', async () => {
    const load = startLoadGenerator({ targets: [app.baseUrl], minRps: 20, maxRps: 40 });
    try {
      const read = async () => {
        const res = await fetch(app.metricsUrl);
        return parseExposition(await res.text(), { contentType: res.headers.get('content-type') ?? undefined });
      };
      let total = 0;
      for (let i = 0; i < 50 && total === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        total = (await read()).samples.filter((s) => s.name === 'http_requests_total').reduce((a, s) => a + s.value, 0);
      }
      const r = await read();
      expect(total).toBeGreaterThan(0);
      expect(r.families.get('http_requests_total')?.type).toBe('counter');
      expect(r.families.get('queue_depth')?.type).toBe('gauge');
      expect(r.samples.find((s) => s.name === 'http_requests_total')?.labels).toMatchObject({ path: expect.any(String), code: expect.any(String) });
    } finally {
      load.stop();
    }
  });

  it('the demo config is a valid scrape-backend config in standalone mode', () => {
    const cfg = demoServerConfig({ apps: [app], port: 6443, clientCaFile: '/x/ca.crt', tlsCertFile: '/x/s.crt', tlsPrivateKeyFile: '/x/s.key' }) as {
      server: Record<string, unknown>;
      backends: Array<{ type: string; config: ScrapeBackendConfig }>;
    };
    expect(cfg.server).toMatchObject({ securePort: 6443, bindAddress: '127.0.0.1', standalone: true });
    expect(cfg.backends[0].type).toBe('scrape');
    const resolved = resolveConfig(cfg.backends[0].config);
    expect(resolved.staticPods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['demo/demo-app-1']);
    expect(resolved.rules.map((r) => r.metric)).toContain('http_requests_per_second');
    for (const c of demoCommands('.cms-demo/kubeconfig')) expect(c.command).toMatch(/^kubectl --kubeconfig \.cms-demo\/kubeconfig get --raw '\/apis\/[^']+'$/);
  });
});
