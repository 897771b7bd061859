/** Shared setup: a Datadog double and backends created against it through the real client. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { BackendInstance, Requirement, Selector } from '@custom-metrics/core';
import { createDatadogBackend } from '../../src/index.js';
import type { DatadogBackendConfig, DatadogBackendDeps } from '../../src/index.js';
import { recordingContext } from './context.js';
import type { Recorded } from './context.js';
import { startDatadogDouble } from '@custom-metrics/backend-datadog/testing';
import type { DatadogDouble, DatadogDoubleOptions } from '@custom-metrics/backend-datadog/testing';

export const API_KEY = 'dd-api-key-0123456789abcdef0123456789ab';
export const APP_KEY = 'dd-app-key-fedcba9876543210fedcba98765432100123';
export const ENV = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };

/** A running backend with its recorded context. */
export interface TestBackend {
  instance: BackendInstance;
  rec: Recorded;
}

/** Starts a double with the test keys. */
export function startDouble(extra: Partial<DatadogDoubleOptions> = {}): Promise<DatadogDouble> {
  return startDatadogDouble({ apiKey: API_KEY, appKey: APP_KEY, ...extra });
}

/**
 * useDouble starts one double for the test file (beforeAll), closes the backends the tests made
 * and resets the double after each test, and stops it at the end. The returned object stands for
 * the running double.
 */
export function useDouble(extra: Partial<DatadogDoubleOptions> = {}): DatadogDouble {
  let current: DatadogDouble | undefined;
  beforeAll(async () => {
    current = await startDouble(extra);
  });
  afterEach(async () => {
    await closeAll();
    current?.reset();
  });
  afterAll(async () => {
    await current?.stop();
  });
  return new Proxy({} as DatadogDouble, {
    get(_target, key) {
      if (!current) throw new Error('the Datadog double starts in beforeAll: use it inside tests and hooks');
      const value: unknown = Reflect.get(current, key, current);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}

const open: BackendInstance[] = [];

/** track registers an instance for {@link closeAll}. */
export function track(instance: BackendInstance): BackendInstance {
  open.push(instance);
  return instance;
}

/** closeAll closes every instance created by the tests so far (call in afterEach). */
export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((i) => i.close?.()));
}

/** Creates a backend against `double`, closed by {@link closeAll}. */
export function makeBackend(
  double: DatadogDouble,
  config: Partial<DatadogBackendConfig>,
  deps: DatadogBackendDeps = {},
  kube?: Parameters<typeof recordingContext>[0],
): TestBackend {
  const { ctx, rec } = recordingContext(kube);
  const instance = createDatadogBackend(ctx, { baseUrl: double.url, refreshIntervalSeconds: 3600, ...config }, { env: ENV, ...deps });
  open.push(instance);
  return { instance, rec };
}

/**
 * A selector carrying arbitrary requirements, bypassing Kubernetes validation, to show that the
 * backend's own checks stand even if a hostile value got past the server's parser.
 */
export function rawSelector(reqs: Requirement[]): Selector {
  return { requirements: reqs, isEmpty: () => reqs.length === 0, matches: () => true, toString: () => '' } as unknown as Selector;
}

/** An already-aborted-never signal for requests. */
export const neverAborted = new AbortController().signal;
