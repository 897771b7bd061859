import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';
import { fromMemoryPlugin, Gate, misbehavingPlugin, onDemandPlugin } from './support/test-plugins.js';

const P = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*';

describe('backend failures and deadlines', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      config: { server: { requestTimeoutSeconds: 0.3 }, backends: [{ name: 'bad', type: 'misbehaving' }] },
      plugins: { misbehaving: misbehavingPlugin(new Gate()) },
    });
  });
  afterAll(async () => {
    await s.close();
  });

  it('answers 503 Status for a throwing backend without leaking its detail, and logs it', async () => {
    const res = await s.getJSON(`${P}/boom`);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
    expect(res.body).not.toContain('secret-host');
    expect(res.body).not.toContain('abc123');
    expect(s.logs.some((l) => l.includes('secret-host') && l.includes('"backend":"bad"'))).toBe(true);
  });

  it('answers 503 at the deadline and aborts the provider signal', async () => {
    const res = await s.getJSON(`${P}/slow`);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
  });

  it('answers 503 at the deadline even when the provider ignores the signal', async () => {
    const res = await s.getJSON(`${P}/stubborn`);
    expect(res.status).toBe(503);
  });

  it('logs one JSON line per request with method, path, status, latency and user', async () => {
    await s.request('/apis/custom.metrics.k8s.io/v1beta1');
    const line = s.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'request' && l.path === '/apis/custom.metrics.k8s.io/v1beta1');
    expect(line).toMatchObject({ method: 'GET', status: 200, user: 'tester', level: 30 });
    expect(typeof line?.latencyMs).toBe('number');
  });
});

describe('concurrency limit', () => {
  let s: TestServer;
  const gate = new Gate();
  beforeAll(async () => {
    s = await startTestServer({
      config: { server: { maxRequestsInflight: 1, retryAfterSeconds: 2 }, backends: [{ name: 'bad', type: 'misbehaving' }] },
      plugins: { misbehaving: misbehavingPlugin(gate) },
    });
  });
  afterAll(async () => {
    gate.open();
    await s.close();
  });

  it('answers 429 Status with Retry-After when saturated, and serves again afterwards', async () => {
    const first = s.getJSON(`${P}/gated`);
    for (let i = 0; i < 200 && gate.entered === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(gate.entered).toBe(1);
    const second = await s.getJSON('/apis/custom.metrics.k8s.io/v1beta1');
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('2');
    expect(second.json).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 2 } });
    expect((await s.request('/healthz')).status).toBe(200);
    gate.open();
    expect((await first).status).toBe(200);
    expect((await s.getJSON('/apis/custom.metrics.k8s.io/v1beta1')).status).toBe(200);
  });
});

describe('client disconnects and on-demand lookup', () => {
  let s: TestServer;
  const gate = new Gate();
  beforeAll(async () => {
    s = await startTestServer({
      config: { backends: [{ name: 'bad', type: 'misbehaving' }, { name: 'od', type: 'on-demand', lookupOnDemand: true }] },
      plugins: { misbehaving: misbehavingPlugin(gate), 'on-demand': onDemandPlugin },
    });
  });
  afterAll(async () => {
    gate.open();
    await s.close();
  });

  it('aborts the provider signal when the client goes away', async () => {
    const controller = new AbortController();
    const pending = fetch(`${s.url}${P}/slow`, { signal: controller.signal }).catch(() => undefined);
    for (let i = 0; i < 500 && gate.slowEntered === 0; i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await pending;
    for (let i = 0; i < 200 && gate.aborted === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(gate.aborted).toBe(1);
  });

  it('asks lookupOnDemand instances for metrics nobody lists, else 404', async () => {
    const hidden = await s.getJSON(`${P}/hidden`);
    expect(hidden.status).toBe(200);
    expect(hidden.json).toMatchObject({ items: [{ metric: { name: 'hidden' }, value: '2' }] });
    const none = await s.getJSON(`${P}/unknown`);
    expect(none.status).toBe(404);
    expect(none.json).toMatchObject({ message: 'the server could not find the metric unknown for pods' });
  });
});

describe('providers that answer from memory (answersFromMemory)', () => {
  let s: TestServer;
  const gate = new Gate();
  const memorySignals: AbortSignal[] = [];
  const badGate = new Gate();
  beforeAll(async () => {
    s = await startTestServer({
      config: { server: { requestTimeoutSeconds: 0.3 }, backends: [{ name: 'mem', type: 'from-memory' }, { name: 'bad', type: 'misbehaving' }] },
      plugins: { 'from-memory': fromMemoryPlugin(gate, memorySignals), misbehaving: misbehavingPlugin(badGate) },
    });
  });
  afterAll(async () => {
    gate.open();
    await s.close();
  });

  it('get one never-aborted signal, not a signal per request, on every route', async () => {
    expect((await s.getJSON(`${P}/now`)).status).toBe(200);
    expect((await s.getJSON('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/p/now')).status).toBe(200);
    const external = await s.getJSON('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue');
    expect(external.status).toBe(200);
    expect(external.json).toMatchObject({ items: [{ metricName: 'queue', value: '3' }] });
    expect(memorySignals).toHaveLength(3);
    expect(new Set(memorySignals).size).toBe(1);
    expect(memorySignals[0].aborted).toBe(false);
  });

  it('still answer 503 at the deadline: the server checks the cancellation and drops the late answer', async () => {
    const res = await s.getJSON(`${P}/held`);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    expect(gate.entered).toBe(1);
    // The provider's signal never aborts; its answer, arriving after the 503, is discarded.
    expect(memorySignals.at(-1)?.aborted).toBe(false);
    gate.open();
    await new Promise((r) => setTimeout(r, 50));
    expect((await s.getJSON(`${P}/now`)).status).toBe(200);
  });

  it('leave other providers the request\'s own signal, aborted at the deadline', async () => {
    const res = await s.getJSON(`${P}/slow`);
    expect(res.status).toBe(503);
    for (let i = 0; i < 200 && badGate.aborted === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(badGate.aborted).toBe(1);
  });
});
