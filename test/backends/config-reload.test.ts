// Config hot reload (issue #15) against the real server process over TLS with a client
// certificate: metrics and backends added, removed and changed without a restart, a broken file
// keeping the last good config, rapid writes, requests across swaps, files written the way
// kubelet writes ConfigMap volumes, SIGHUP, and fields that only apply at restart.
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync, readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, tempDir, waitFor } from '../../test-support/index.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';
import { startChildServer, type ChildServer } from '../../packages/server/test/support/child-server.js';

const EXT = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default';
const closingPlugin = fileURLToPath(new URL('../../packages/server/test/fixtures/plugins/closing-plugin.mjs', import.meta.url));
/** Reloads are debounced by 500 ms: every wait below is far longer and polls. */
const RELOAD_WAIT_MS = 20_000;

/** A memory backend instance serving external metrics `{name: value}` (and the write endpoint when `writes`). */
function memory(name: string, metrics: Record<string, number>, writes = false): string[] {
  return [
    `  - name: ${name}`,
    '    type: memory',
    '    config:',
    `      writeEndpoint: { enabled: ${writes} }`,
    '      external:',
    ...Object.entries(metrics).map(([metric, value]) => `        - { name: ${metric}, series: [{ labels: {}, value: ${value} }] }`),
  ];
}

function closing(name: string, value: number, delayMs: number): string[] {
  return [`  - name: ${name}`, `    type: ${closingPlugin}`, `    config: { value: ${value}, delayMs: ${delayMs} }`];
}

/** The value of external metric `metric`, or the HTTP status when it is not served. */
async function valueOf(server: ChildServer, metric: string): Promise<string | number> {
  const res = await server.get(`${EXT}/${metric}`);
  if (res.status !== 200) return res.status;
  return (JSON.parse(res.body) as { items: Array<{ value: string }> }).items[0]?.value ?? 'no items';
}

/** Polls until `metric` reads `expected` (a value, or a status such as 404). */
async function eventually(server: ChildServer, metric: string, expected: string | number): Promise<void> {
  await waitFor(`${metric} to be ${expected}`, async () => (await valueOf(server, metric)) === expected, RELOAD_WAIT_MS, 100);
}

async function selfMetric(server: ChildServer, name: string): Promise<number | undefined> {
  const res = await server.get('/metrics');
  const line = res.body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** Writes `text` as kubelet updates a ConfigMap volume: a new timestamped directory, `..data_tmp` renamed over `..data`. */
function kubeletWriter(): (file: string, text: string) => void {
  let n = 0;
  return (file, text) => {
    const dir = dirname(file);
    const version = `..2026_12_01_04_00_${String(n++).padStart(2, '0')}.${process.pid}`;
    mkdirSync(join(dir, version));
    writeFileSync(join(dir, version, basename(file)), text);
    const data = join(dir, '..data');
    const old = existsSync(data) ? readlinkSync(data) : undefined;
    symlinkSync(version, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), data);
    if (!existsSync(file)) symlinkSync(join('..data', basename(file)), file);
    if (old !== undefined) rmSync(join(dir, old), { recursive: true, force: true });
  };
}

describe('config hot reload (file written in place)', () => {
  const dir = tempDir('reload');
  let server: ChildServer;
  const base = () => [...memory('keep', { kept_metric: 1 }, true)];

  beforeAll(async () => {
    server = await startChildServer(dir.path, ['backends:', ...base(), ...memory('rules', { queue_depth: 5 })]);
    // State only the running `keep` instance has: it must survive every reload below.
    expect((await server.send('POST', '/backends/keep/write/external/kept_metric', '42')).status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('adds, changes and removes metrics; an unchanged instance keeps its state', async () => {
    expect(await valueOf(server, 'queue_depth')).toBe('5');
    server.rewrite(['backends:', ...base(), ...memory('rules', { queue_depth: 6, added_metric: 3 })]);
    await eventually(server, 'added_metric', '3');
    expect(await valueOf(server, 'queue_depth')).toBe('6');
    server.rewrite(['backends:', ...base(), ...memory('rules', { added_metric: 3 })]);
    await eventually(server, 'queue_depth', 404);
    expect(await valueOf(server, 'added_metric')).toBe('3');
    expect(await valueOf(server, 'kept_metric')).toBe('42');
  });

  it('adds, reconfigures and removes backend instances', async () => {
    server.rewrite(['backends:', ...base(), ...memory('rules', { added_metric: 3 }), ...memory('extra', { extra_metric: 7 })]);
    await eventually(server, 'extra_metric', '7');
    server.rewrite(['backends:', ...base(), ...memory('rules', { added_metric: 3 }), ...memory('extra', { extra_metric: 8 })]);
    await eventually(server, 'extra_metric', '8');
    server.rewrite(['backends:', ...base(), ...memory('rules', { added_metric: 3 })]);
    await eventually(server, 'extra_metric', 404);
    server.rewrite(['backends:', ...base()]);
    await eventually(server, 'added_metric', 404);
    expect(await valueOf(server, 'kept_metric')).toBe('42');
    expect((await server.get('/readyz?verbose')).body).not.toContain('backend:extra');
  });

  it('keeps the last good config serving when the file is broken, and says why', async () => {
    server.rewrite(['backends:', ...base(), ...memory('rules', { queue_depth: 9 })]);
    await eventually(server, 'queue_depth', '9');
    expect(await selfMetric(server, 'custom_metrics_server_config_last_reload_successful')).toBe(1);
    const goodAt = await selfMetric(server, 'custom_metrics_server_config_last_reload_success_timestamp_seconds');

    // A field the memory backend's schema rejects, and (a second time) YAML that does not parse.
    server.rewrite(['backends:', ...base(), ...memory('rules', { queue_depth: 10 }), '      windowSeconds: -1']);
    await waitFor('the reload to fail', async () => (await selfMetric(server, 'custom_metrics_server_config_last_reload_successful')) === 0, RELOAD_WAIT_MS);
    const ready = await server.get('/readyz?verbose');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatch(/\[-\]config-reload failed: .*keeps serving: backends\[1\]\.config\.windowSeconds: is not a known field \(informational, does not affect readiness\)/);
    expect((await server.get('/readyz')).status).toBe(200);
    expect(await valueOf(server, 'queue_depth')).toBe('9');
    expect(await selfMetric(server, 'custom_metrics_server_config_last_reload_success_timestamp_seconds')).toBe(goodAt);
    expect(server.output()).toMatch(/config reload failed, the last good config keeps serving: backends\[1\]\.config\.windowSeconds: is not a known field/);

    // A write in progress: truncated to nothing.
    writeFileSync(server.configFile, '');
    await waitFor('the empty file to be refused', async () => /config-reload failed: .*a non-empty file/.test((await server.get('/readyz?verbose')).body), RELOAD_WAIT_MS);
    expect(await valueOf(server, 'queue_depth')).toBe('9');
    expect(await valueOf(server, 'kept_metric')).toBe('42');

    server.rewrite(['backends:', ...base(), '  - { name: [broken']);
    await waitFor('the YAML error to be reported', async () => /valid YAML/.test((await server.get('/readyz?verbose')).body), RELOAD_WAIT_MS);
    expect(await valueOf(server, 'queue_depth')).toBe('9');

    server.rewrite(['backends:', ...base(), ...memory('rules', { queue_depth: 11 })]);
    await eventually(server, 'queue_depth', '11');
    expect(await selfMetric(server, 'custom_metrics_server_config_last_reload_successful')).toBe(1);
    expect((await selfMetric(server, 'custom_metrics_server_config_last_reload_success_timestamp_seconds')) ?? 0).toBeGreaterThan(goodAt ?? Infinity);
    expect((await server.get('/readyz?verbose')).body).toContain('[+]config-reload ok (informational, does not affect readiness)');
    expect(server.alive()).toBe(true);
  });

  it('applies the last of a burst of writes', async () => {
    for (let i = 1; i <= 30; i++) server.rewrite(['backends:', ...base(), ...memory('rules', { queue_depth: 100 + i })]);
    await eventually(server, 'queue_depth', '130');
    expect(await selfMetric(server, 'custom_metrics_server_config_last_reload_successful')).toBe(1);
    expect(await valueOf(server, 'kept_metric')).toBe('42');
  });

  it('reports a change to the server section as not applied until restart, and applies the rest', async () => {
    server.rewrite(['  maxRequestsInflight: 7', 'backends:', ...base(), ...memory('rules', { queue_depth: 12 })]);
    await eventually(server, 'queue_depth', '12');
    await waitFor('the restart-only change to be logged', async () => /server\.maxRequestsInflight changed; not applied until restart/.test(server.output()), RELOAD_WAIT_MS);
  });

  it('reloads on SIGHUP', async () => {
    const before = (await selfMetric(server, 'custom_metrics_server_config_last_reload_success_timestamp_seconds')) ?? 0;
    await new Promise((r) => setTimeout(r, 50));
    server.signal('SIGHUP');
    await waitFor('SIGHUP to reload', async () => ((await selfMetric(server, 'custom_metrics_server_config_last_reload_success_timestamp_seconds')) ?? 0) > before, RELOAD_WAIT_MS);
    expect(server.alive()).toBe(true);
    expect(await valueOf(server, 'kept_metric')).toBe('42');
  });
});

describe('config hot reload (kubelet ConfigMap volume: ..data symlink swapped by rename)', () => {
  const dir = tempDir('reload-kubelet');
  let server: ChildServer;
  /** Long enough that a request is surely still running when the reload it overlaps swaps the instances. */
  const SLOW_MS = 5_000;

  beforeAll(async () => {
    const volume = join(dir.path, 'volume');
    mkdirSync(volume);
    server = await startChildServer(dir.path, ['backends:', ...memory('rules', { queue_depth: 1 }), ...closing('probe', 1, SLOW_MS)], [], {
      file: join(volume, 'config.yaml'),
      write: kubeletWriter(),
    });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('follows the ..data symlink swaps', async () => {
    expect(readlinkSync(join(dir.path, 'volume', 'config.yaml'))).toBe(join('..data', 'config.yaml'));
    expect(await valueOf(server, 'queue_depth')).toBe('1');
    server.rewrite(['backends:', ...memory('rules', { queue_depth: 2 }), ...closing('probe', 1, SLOW_MS)]);
    await eventually(server, 'queue_depth', '2');
  });

  it('finishes a request on the instance it started on while a reload replaces that instance', async () => {
    let slowDone = false;
    const slow = valueOf(server, 'probe_value').finally(() => (slowDone = true));
    // One reload changes both instances: `rules` (answering at once, so the swap is seen without
    // waiting on `probe`) and `probe`, whose new instance answers 2 at once. The old `probe`
    // instance fails its pending calls when closed: it must be closed only after `slow`.
    server.rewrite(['backends:', ...memory('rules', { queue_depth: 3 }), ...closing('probe', 2, 0)]);
    await eventually(server, 'queue_depth', '3');
    expect(slowDone).toBe(false);
    expect(await valueOf(server, 'probe_value')).toBe('2');
    expect(await slow).toBe('1');
  });

  it('answers every request while reloads swap the routing table', async () => {
    const statuses: number[] = [];
    let stop = false;
    const worker = async () => {
      for (let n = 0; n < 2_000 && !stop; n++) {
        statuses.push((await server.get(`${EXT}/queue_depth`)).status);
        statuses.push((await server.get(`${EXT}/probe_value`)).status);
      }
    };
    const workers = [worker(), worker(), worker()];
    try {
      for (let v = 10; v < 14; v++) {
        server.rewrite(['backends:', ...memory('rules', { queue_depth: v }), ...closing('probe', v, 0)]);
        await eventually(server, 'queue_depth', String(v));
        await eventually(server, 'probe_value', String(v));
      }
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

describe('config hot reload with a real Prometheus backend', () => {
  const dir = tempDir('reload-prometheus');
  const prometheusBin = requireBinary('prometheus', 'install Prometheus (/usr/bin/prometheus) to run the reload tests against it');
  let prom: PrometheusProcess | undefined;
  let server: ChildServer;
  /** A Prometheus instance with one external rule: `up` summed by job, plus `offset`. */
  const prometheus = (offset: number) => [
    '  - name: prom',
    '    type: prometheus',
    '    config:',
    `      url: ${prom?.url}`,
    '      cache: { ttl: 0s }',
    '      discovery: { interval: 1s }',
    '      externalRules:',
    `        - { seriesQuery: 'up', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (job) + ${offset}', resources: { namespaced: false } }`,
  ];

  beforeAll(async () => {
    // Prometheus scrapes a port nothing listens on: `up` is 0.
    if (prometheusBin) prom = await startPrometheus(prometheusBin, await freePort());
    server = await startChildServer(dir.path, ['backends:', ...memory('keep', { kept_metric: 1 })]);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await prom?.dispose();
    dir.remove();
  });

  it.runIf(prometheusBin !== undefined || process.env.CI === 'true')('adds, reconfigures and removes a Prometheus instance; the others keep serving', async () => {
    expect(await valueOf(server, 'up')).toBe(404);
    server.rewrite(['backends:', ...memory('keep', { kept_metric: 1 }), ...prometheus(0)]);
    await eventually(server, 'up', '0');
    server.rewrite(['backends:', ...memory('keep', { kept_metric: 1 }), ...prometheus(3)]);
    await eventually(server, 'up', '3');
    expect((await server.get('/readyz?verbose')).body).toContain('[+]backend:prom ok');
    server.rewrite(['backends:', ...memory('keep', { kept_metric: 1 })]);
    await eventually(server, 'up', 404);
    expect(await valueOf(server, 'kept_metric')).toBe('1');
    expect(await selfMetric(server, 'custom_metrics_server_config_last_reload_successful')).toBe(1);
  });
});
