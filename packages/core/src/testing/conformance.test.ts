import { describe, expect, it } from 'vitest';
import type { CustomMetricsProvider, ExternalMetricsProvider } from '../provider.js';
import { backendFailure } from '../backend-failure.js';
import { InternalError, ServiceUnavailableError } from '../errors.js';
import { parseSelector, Selector } from '../selector.js';
import {
  customProviderConformance,
  externalProviderConformance,
  FakeCustomMetricsProvider,
  FakeExternalMetricsProvider,
  type ConformanceData,
  type CustomConformanceSetup,
  type DeclaredStatus,
  type ExternalConformanceSetup,
} from './index.js';

const seedCustom = (provider: FakeCustomMetricsProvider, data: ConformanceData) =>
  provider.set(
    ...data.custom.map((s) => ({
      info: s.info,
      namespace: s.object.namespace ?? '',
      name: s.object.name,
      labels: s.labels,
      value: s.value,
      timestamp: data.timestamp,
    })),
  );

const customSetup: CustomConformanceSetup = async ({ kube }) => {
  const provider = new FakeCustomMetricsProvider({ kube });
  return { provider, seed: (data) => seedCustom(provider, data) };
};

const externalSetup: ExternalConformanceSetup = async () => {
  const provider = new FakeExternalMetricsProvider();
  return { provider, seed: (data) => provider.set(...data.external.map((s) => ({ ...s, timestamp: data.timestamp }))) };
};

describe('FakeCustomMetricsProvider passes the custom conformance kit', () => {
  for (const c of customProviderConformance(customSetup)) it(c.name, c.run);
});

describe('FakeExternalMetricsProvider passes the external conformance kit', () => {
  for (const c of externalProviderConformance(externalSetup)) it(c.name, c.run);
});

/** Runs the named case of a kit and returns its failure (or undefined when it passed). */
async function failureOf(cases: Array<{ name: string; run(): Promise<void> }>, name: RegExp): Promise<unknown> {
  const c = cases.find((x) => name.test(x.name));
  if (!c) throw new Error(`no case matches ${name}`);
  try {
    await c.run();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Wraps a working provider, overriding some behaviour to break the contract. */
function brokenCustom(override: (inner: CustomMetricsProvider) => Partial<CustomMetricsProvider>): CustomConformanceSetup {
  return async (env) => {
    const t = await customSetup(env);
    const inner = t.provider;
    const provider: CustomMetricsProvider = {
      listAllMetrics: () => inner.listAllMetrics(),
      getMetricByName: (r) => inner.getMetricByName(r),
      getMetricBySelector: (r) => inner.getMetricBySelector(r),
      ...override(inner),
    };
    return { ...t, provider };
  };
}

describe('the kit catches broken providers', () => {
  it('a provider that ignores the object selector fails', async () => {
    const kit = customProviderConformance(brokenCustom((inner) => ({ getMetricBySelector: (r) => inner.getMetricBySelector({ ...r, selector: Selector.everything() }) })));
    expect(String(await failureOf(kit, /exactly the matching objects/))).toMatch(/does not select/);
  });

  it('a provider that ignores the metric selector fails', async () => {
    const kit = customProviderConformance(
      brokenCustom((inner) => ({ getMetricBySelector: (r) => inner.getMetricBySelector({ ...r, metricSelector: Selector.everything() }) })),
    );
    expect(await failureOf(kit, /respects the metric selector/)).toBeDefined();
  });

  it('a provider that returns a plain Error for an unknown metric fails', async () => {
    const kit = customProviderConformance(
      brokenCustom((inner) => ({
        getMetricByName: async (r) => {
          try {
            return await inner.getMetricByName(r);
          } catch {
            throw new Error('nope');
          }
        },
      })),
    );
    expect(String(await failureOf(kit, /unknown metric is a 404/))).toMatch(/MetricsError/);
  });

  it('a provider that ignores an aborted signal fails', async () => {
    const kit = customProviderConformance(
      brokenCustom((inner) => ({ getMetricBySelector: (r) => inner.getMetricBySelector({ ...r, signal: new AbortController().signal }) })),
    );
    expect(String(await failureOf(kit, /already-aborted/))).toMatch(/resolved although/);
  });

  it('a provider whose listAllMetrics returns a Promise fails', async () => {
    const kit = customProviderConformance(brokenCustom((inner) => ({ listAllMetrics: (() => Promise.resolve(inner.listAllMetrics())) as never })));
    expect(String(await failureOf(kit, /synchronous/))).toMatch(/synchronously/);
  });

  it('a provider that silently drops a != metric selector fails', async () => {
    const dropNotEquals = (sel: Selector) => Selector.fromRequirements(sel.requirements.filter((r) => r.operator !== '!='));
    const kit = customProviderConformance(
      brokenCustom((inner) => ({
        getMetricBySelector: (r) => inner.getMetricBySelector({ ...r, metricSelector: dropNotEquals(r.metricSelector) }),
        getMetricByName: (r) => inner.getMetricByName({ ...r, metricSelector: dropNotEquals(r.metricSelector) }),
      })),
    );
    expect(String(await failureOf(kit, /!= metric selector filters/))).toMatch(/verb!=GET/);
  });

  it('a backend that rejects != must say so with a 400 naming the operator', async () => {
    const kit = customProviderConformance(customSetup, { notEqualsMetricSelector: 'rejected' });
    expect(String(await failureOf(kit, /!= metric selector is a 400/))).toMatch(/expected a 400 MetricsError, but it resolved/);
  });

  it('a failing backend that answers with the wrong Status fails', async () => {
    const setup: CustomConformanceSetup = async (env) => {
      const t = await customSetup(env);
      const down: CustomMetricsProvider = {
        listAllMetrics: () => [],
        getMetricByName: () => Promise.reject(new InternalError('connection refused')),
        getMetricBySelector: () => Promise.reject(new InternalError('connection refused')),
      };
      return { ...t, failing: { unreachable: () => down } };
    };
    expect(String(await failureOf(customProviderConformance(setup), /failure table/))).toMatch(/must answer 503 ServiceUnavailable, got 500/);
  });

  it('a failing backend that answers per the failure table passes', async () => {
    const setup: CustomConformanceSetup = async (env) => {
      const t = await customSetup(env);
      const down: CustomMetricsProvider = {
        listAllMetrics: () => [],
        getMetricByName: () => Promise.reject(backendFailure('unreachable')),
        getMetricBySelector: () => Promise.reject(backendFailure('unreachable')),
      };
      return { ...t, failing: { unreachable: () => down } };
    };
    expect(await failureOf(customProviderConformance(setup), /failure table/)).toBeUndefined();
  });

  it('a provider that hangs is reported, not waited on forever', async () => {
    const kit = customProviderConformance(
      brokenCustom(() => ({ getMetricByName: () => new Promise<never>(() => undefined) })),
      { callTimeoutMs: 20 },
    );
    expect(String(await failureOf(kit, /returns the value of one object/))).toMatch(/did not settle/);
  });

  it('an external provider with case-sensitive names fails', async () => {
    const setup: ExternalConformanceSetup = async (env) => {
      const t = await externalSetup(env);
      const inner = t.provider;
      const provider: ExternalMetricsProvider = {
        listAllExternalMetrics: () => inner.listAllExternalMetrics(),
        getExternalMetric: async (r) => {
          if (!inner.listAllExternalMetrics().some((m) => m.metric === r.info.metric)) throw new Error('unknown');
          return inner.getExternalMetric(r);
        },
      };
      return { ...t, provider };
    };
    expect(await failureOf(externalProviderConformance(setup), /case-insensitively/)).toBeDefined();
  });
});

describe('the kit options', () => {
  it('can restrict the resources a backend supports', () => {
    const names = customProviderConformance(customSetup, { resources: ['pods'] }).map((c) => c.name);
    expect(names.some((n) => /nodes/.test(n))).toBe(false);
    expect(names.some((n) => /deployments/.test(n))).toBe(false);
  });

  it('uses the configured metric names', async () => {
    const kit = customProviderConformance(customSetup, { plainMetric: 'other_metric', resources: ['pods'] });
    for (const c of kit) await c.run();
  });
});

describe('declared statuses (noPoint, failureStatus)', () => {
  const noPoint: DeclaredStatus = { code: 503, reason: 'ServiceUnavailable', because: 'the backend has no point in its window' };
  const noPointError = () => new ServiceUnavailableError('no point found');

  /** A custom backend that answers 503 when objects exist but have no point (404 only for objects that do not exist). */
  const noPoint503: CustomConformanceSetup = async (env) => {
    const t = await customSetup(env);
    const inner = t.provider;
    const provider: CustomMetricsProvider = {
      listAllMetrics: () => inner.listAllMetrics(),
      getMetricByName: async (r) => {
        try {
          return await inner.getMetricByName(r);
        } catch (e) {
          const known = inner.listAllMetrics().some((m) => m.metric === r.info.metric);
          if (known && (await env.kube.getObject(r.info.groupResource, r.namespace, r.name))) throw noPointError();
          throw e;
        }
      },
      getMetricBySelector: async (r) => {
        const values = await inner.getMetricBySelector(r);
        if (values.length === 0 && (await env.kube.listObjects(r.info.groupResource, r.namespace, r.selector)).length > 0) throw noPointError();
        return values;
      },
    };
    return { ...t, provider };
  };

  it('a backend answering 503 for "no point" passes when it declares noPoint, and fails when it does not', async () => {
    const declaredKit = customProviderConformance(noPoint503, { noPoint });
    for (const c of declaredKit) await c.run();
    expect(declaredKit.map((c) => c.name)).toContain(
      'getMetricByName is 503 for an existing object without the metric (the backend has no point in its window), 404 for an object that does not exist',
    );
    expect(String(await failureOf(customProviderConformance(noPoint503), /404 MetricsError for an object without the metric/))).toMatch(/expected code 404, got 503/);
  });

  it('noPoint never excuses a 503 for an object that does not exist', async () => {
    const kit = customProviderConformance(
      brokenCustom(() => ({ getMetricByName: () => Promise.reject(noPointError()) })),
      { noPoint, resources: ['pods'] },
    );
    expect(String(await failureOf(kit, /for an object that does not exist/))).toMatch(/no-such-pod.*expected code 404, got 503/);
  });

  it('a backend that declares noPoint must answer it: an empty list no longer passes', async () => {
    const kit = customProviderConformance(customSetup, { noPoint, resources: ['pods'] });
    expect(String(await failureOf(kit, /respects the metric selector/))).toMatch(/the call must fail \(noPoint: must answer 503 ServiceUnavailable/);
  });

  it('an external backend answering 503 for a selector matching no series passes with noPoint', async () => {
    const setup: ExternalConformanceSetup = async (env) => {
      const t = await externalSetup(env);
      const inner = t.provider;
      const provider: ExternalMetricsProvider = {
        listAllExternalMetrics: () => inner.listAllExternalMetrics(),
        getExternalMetric: async (r) => {
          const values = await inner.getExternalMetric(r);
          if (values.length === 0) throw noPointError();
          return values;
        },
      };
      return { ...t, provider };
    };
    for (const c of externalProviderConformance(setup, { noPoint })) await c.run();
    expect(String(await failureOf(externalProviderConformance(setup), /filters series/))).toMatch(/expected code 404, got 503/);
  });

  it('failureStatus replaces the failure table\'s Status for one kind only', async () => {
    const setup: CustomConformanceSetup = async (env) => {
      const t = await customSetup(env);
      const failingWith = (e: () => Error): CustomMetricsProvider => ({
        listAllMetrics: () => [],
        getMetricByName: () => Promise.reject(e()),
        getMetricBySelector: () => Promise.reject(e()),
      });
      return {
        ...t,
        failing: { rejected: () => failingWith(() => new ServiceUnavailableError('rejected, isolated, retried in 30s')), unreachable: () => failingWith(() => backendFailure('unreachable')) },
      };
    };
    const rejected: DeclaredStatus = { code: 503, reason: 'ServiceUnavailable', because: 'a rejected query is isolated and retried' };
    expect(await failureOf(customProviderConformance(setup, { failureStatus: { rejected } }), /failure table/)).toBeUndefined();
    expect(String(await failureOf(customProviderConformance(setup), /failure table/))).toMatch(/a rejected backend must answer 500 InternalError, got 503/);
  });

  it('a declaration without a reason why is refused', () => {
    expect(() => customProviderConformance(customSetup, { noPoint: { ...noPoint, because: ' ' } })).toThrow(/noPoint.because must say why/);
    expect(() => externalProviderConformance(externalSetup, { failureStatus: { rejected: { code: 503, reason: '', because: 'x' } } })).toThrow(/failureStatus.rejected.reason/);
  });
});

describe('FakeCustomMetricsProvider', () => {
  it('sums several matching series of one object and rejects non-finite values', async () => {
    const { FakeKubeLookup } = await import('./fake-kube.js');
    const kube = new FakeKubeLookup({
      objects: [{ gvk: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', namespace: 'n', labels: {}, annotations: {} }],
    });
    const p = new FakeCustomMetricsProvider({ kube, now: () => new Date(0) });
    const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'm' };
    p.set({ info, namespace: 'n', name: 'p', labels: { a: '1' }, value: 1 }, { info, namespace: 'n', name: 'p', labels: { a: '2' }, value: 2 });
    const v = await p.getMetricByName({ namespace: 'n', name: 'p', info, metricSelector: Selector.everything(), signal: new AbortController().signal });
    expect(v.value).toBe(3);
    expect(v.timestamp).toEqual(new Date(0));
    const one = await p.getMetricByName({ namespace: 'n', name: 'p', info, metricSelector: parseSelector('a=2'), signal: new AbortController().signal });
    expect(one.value).toBe(2);
    expect(one.metric.selector).toEqual({ matchLabels: { a: '2' } });
    expect(() => p.set({ info, namespace: 'n', name: 'p', value: Number.NaN })).toThrow(RangeError);
  });
});
