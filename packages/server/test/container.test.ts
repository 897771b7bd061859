import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { defineBackendPlugin, type BackendContext } from '@custom-metrics/core';
import { FakeKubeLookup, RecordingLogger } from '@custom-metrics/core/testing';
import { BackendLoader } from '../src/backends/loader.js';
import { isConfigError } from '../src/config/config-error.js';
import { validateConfig } from '../src/config/validate.js';
import { buildContainer } from '../src/container.js';
import { BACKEND_CONTEXT, BACKEND_INSTANCE_NAME, KUBE_LOOKUP, LOGGER, SERVER_METRICS, SHUTDOWN_SIGNAL } from '../src/tokens.js';
import { allowAllAuthentication, allowAllAuthorization } from './support/harness.js';

const contexts: BackendContext[] = [];
const spy = defineBackendPlugin({
  name: 'spy',
  configSchema: { type: 'object', properties: { fail: { type: 'boolean' } } },
  create(ctx, config: { fail?: boolean }) {
    if (config.fail) throw new Error('bad credentials');
    contexts.push(ctx);
    return {};
  },
});

const loader = new BackendLoader(process.cwd(), async (s) => {
  if (s === 'spy') return { default: spy };
  if (s === '@custom-metrics/backend-memory') return (await import(s)) as Record<string, unknown>;
  throw new Error('missing');
});

const mem = (name: string, metric: string, priority?: number) => ({
  name,
  type: 'memory',
  ...(priority !== undefined ? { priority } : {}),
  config: { custom: [{ resource: 'pods', metric, default: 1 }] },
});

async function build(raw: Record<string, unknown>) {
  const kube = new FakeKubeLookup();
  const sc = await buildContainer({
    config: validateConfig(raw),
    kube,
    logger: new RecordingLogger(),
    authentication: allowAllAuthentication,
    authorization: allowAllAuthorization,
    loader,
  });
  return { sc, kube };
}

describe('container', () => {
  it('registers only what backend contexts are built from, and gives each backend its own context', async () => {
    const { sc, kube } = await build({ backends: [{ name: 'one', type: 'spy' }, { name: 'two', type: 'spy' }] });
    expect(sc.container.resolve(KUBE_LOOKUP)).toBe(kube);
    expect(sc.container.resolve(SERVER_METRICS)).toBe(sc.metrics);
    for (const t of [LOGGER, SHUTDOWN_SIGNAL]) expect(sc.container.isRegistered(t)).toBe(true);
    // Per instance only, in each instance's child container.
    for (const t of [BACKEND_INSTANCE_NAME, BACKEND_CONTEXT]) expect(sc.container.isRegistered(t)).toBe(false);
    expect(sc.registry.backends.map((b) => b.name)).toEqual(['one', 'two']);
    const [one, two] = contexts.slice(-2);
    expect(one.instanceName).toBe('one');
    expect(two.instanceName).toBe('two');
    expect(one.kube).toBe(kube);
    expect(one.signal.aborted).toBe(false);
    await sc.closeBackends();
    expect(one.signal.aborted).toBe(true);
  });

  it('reports a failing create as a config error at backends[i].config', async () => {
    await expect(build({ backends: [{ name: 'x', type: 'spy', config: { fail: true } }] })).rejects.toThrow(/backends\[0\]\.config: .*bad credentials/);
    await expect(build({ backends: [{ name: 'x', type: 'spy', config: { fail: 'yes' } }] })).rejects.toThrow(/backends\[0\]\.config\.fail: must be of type boolean/);
  });

  it('fails start-up when two instances list the same metric, naming both', async () => {
    const { sc } = await build({ backends: [mem('alpha', 'rps'), mem('beta', 'rps')] });
    let error: unknown;
    await sc.startBackends().catch((e: unknown) => (error = e));
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(/"pods\/rps" is listed by both backend "alpha" and backend "beta"/);
  });

  it('starts when priority decides', async () => {
    const { sc } = await build({ backends: [mem('alpha', 'rps'), mem('beta', 'rps', 1)] });
    await sc.startBackends();
    expect(sc.registry.customFor({ group: '', resource: 'pods' }, 'rps')?.backend.name).toBe('beta');
  });

  it('reports an unloadable backend type at its path', async () => {
    await expect(build({ backends: [{ name: 'x', type: 'memory' }, { name: 'y', type: 'nope' }] })).rejects.toThrow(/backends\[1\]\.type/);
  });
});

