import assert from 'node:assert/strict';
import { withTarget } from './conformance-target.js';
import type { ExternalMetricValue } from '../model.js';
import type { ExternalMetricsProvider } from '../provider.js';
import { parseSelector } from '../selector.js';
import { FAILURE_STATUS, type BackendFailureKind } from '../backend-failure.js';
import { assertClose, assertFailureKind, assertNotFound, assertRejectsForAbort, assertStatus, assertTimestamp, assertWindow, declared, settleWithin } from './conformance-assert.js';
import {
  CONFORMANCE_NAMESPACES,
  conformanceData,
  type ConformanceCase,
  type ConformanceDataOptions,
  type ConformanceExternalSeries,
  type ConformanceTarget,
  type DeclaredStatusOptions,
  type ExternalConformanceSetup,
} from './conformance-data.js';

/** Options of {@link externalProviderConformance}. */
export interface ExternalConformanceOptions extends Pick<ConformanceDataOptions, 'externalMetric'>, DeclaredStatusOptions {
  /** Require `listAllExternalMetrics` to list the seeded metric. Default true. */
  expectListed?: boolean;
  /** Relative tolerance when comparing values. Default 1e-9. */
  tolerance?: number;
  /** How long a call may take before the kit calls it hung, in ms. Default 10 000. */
  callTimeoutMs?: number;
}

/**
 * externalProviderConformance returns the checks every {@link ExternalMetricsProvider} must pass:
 * `for (const c of externalProviderConformance(setup)) it(c.name, c.run)`. The flow is that of
 * {@link customProviderConformance}; the backend's `seed` writes `data.external` (metric name,
 * series labels — including `namespace` — and value). Checks: listAllExternalMetrics is
 * synchronous and lists the metric; every series matching the metric selector is returned (and no
 * other); metric names match case-insensitively (the HPA lower-cases them); an unknown metric is a
 * 404 MetricsError; an already-aborted signal rejects. A selector matching no series answers an
 * empty list or a 404, or the Status the backend declares with `noPoint`; `failureStatus` likewise.
 */
export function externalProviderConformance(setup: ExternalConformanceSetup, options: ExternalConformanceOptions = {}): ConformanceCase[] {
  const data = conformanceData({ externalMetric: options.externalMetric, resources: [] });
  const metric = options.externalMetric ?? 'conformance_Queue_Messages';
  const tolerance = options.tolerance ?? 1e-9;
  const ms = options.callTimeoutMs ?? 10_000;
  const [NS] = CONFORMANCE_NAMESPACES;
  const noPoint = declared(options.noPoint, 'noPoint');
  for (const [kind, d] of Object.entries(options.failureStatus ?? {})) declared(d, `failureStatus.${kind}`);

  const withProvider = (fn: (p: ExternalMetricsProvider, target: ConformanceTarget<ExternalMetricsProvider>) => Promise<void>) => withTarget(setup, data, fn);

  const get = (p: ExternalMetricsProvider, name: string, metricSelector: string, signal = new AbortController().signal) =>
    p.getExternalMetric({ namespace: NS, metricSelector: parseSelector(metricSelector), info: { metric: name }, signal });

  /** Asserts the result is exactly the seeded series the selector matches (labels may carry extras). */
  const expectSeries = async (p: ExternalMetricsProvider, name: string, metricSelector: string) => {
    const what = `getExternalMetric(${name}, metricSelector ${JSON.stringify(metricSelector)})`;
    const sel = parseSelector(metricSelector);
    const expected = data.external.filter((s) => sel.matches(s.labels));
    if (expected.length === 0 && noPoint) {
      return assertStatus(get(p, name, metricSelector), noPoint, ms, what, `noPoint: must answer ${noPoint.code} ${noPoint.reason} (${noPoint.because})`);
    }
    let values: ExternalMetricValue[];
    try {
      values = await settleWithin(get(p, name, metricSelector), ms, what);
    } catch (e) {
      if (expected.length === 0 && !(e instanceof assert.AssertionError)) return assertNotFound(Promise.reject(e), ms, what);
      throw e;
    }
    assert.ok(Array.isArray(values), `${what}: must return an array`);
    const unmatched = [...expected];
    for (const v of values) {
      assert.equal(v.metricName?.toLowerCase(), name.toLowerCase(), `${what}: metricName`);
      assertTimestamp(v.timestamp, what);
      assertWindow(v.windowSeconds, what);
      const idx = unmatched.findIndex((s) => labelsInclude(v.metricLabels, s));
      assert.ok(idx >= 0, `${what}: returned a series ${JSON.stringify(v.metricLabels)} = ${v.value} that the selector does not select (or returned twice)`);
      assertClose(v.value, unmatched[idx].value, tolerance, `${what} ${JSON.stringify(unmatched[idx].labels)}`);
      unmatched.splice(idx, 1);
    }
    assert.deepEqual(unmatched.map((s) => s.labels), [], `${what}: missing series`);
  };

  const cases: ConformanceCase[] = [
    {
      name: 'listAllExternalMetrics is synchronous and does not throw',
      run: withProvider(async (p) => {
        const list = p.listAllExternalMetrics();
        assert.ok(Array.isArray(list), 'listAllExternalMetrics must return an array synchronously (not a Promise)');
        for (const m of list) assert.equal(typeof m.metric, 'string', 'each info has a metric name');
      }),
    },
  ];
  if (options.expectListed ?? true) {
    cases.push({
      name: 'listAllExternalMetrics lists the seeded metric',
      run: withProvider(async (p) => {
        const names = p.listAllExternalMetrics().map((m) => m.metric.toLowerCase());
        assert.ok(names.includes(metric.toLowerCase()), `listAllExternalMetrics lacks ${metric}`);
      }),
    });
  }
  cases.push(
    {
      name: 'getExternalMetric returns every series for an empty metric selector',
      run: withProvider(async (p) => expectSeries(p, metric, '')),
    },
    {
      name: 'getExternalMetric filters series by the metric selector',
      run: withProvider(async (p) => {
        await expectSeries(p, metric, 'queue=worker');
        await expectSeries(p, metric, 'queue=worker,env=prod');
        await expectSeries(p, metric, 'queue notin (worker)');
        await expectSeries(p, metric, 'env!=prod');
        await expectSeries(p, metric, 'queue in (mailer,worker),env');
        await expectSeries(p, metric, 'queue=nothing');
        await expectSeries(p, metric, 'queue=jobs.v2');
        await expectSeries(p, metric, 'queue in (jobs.v2,mailer)');
        await expectSeries(p, metric, 'queue!=jobs.v2,env=prod');
      }),
    },
    {
      name: 'getExternalMetric matches metric names case-insensitively',
      run: withProvider(async (p) => {
        await expectSeries(p, metric.toLowerCase(), 'queue=worker');
        await expectSeries(p, metric.toUpperCase(), 'queue=worker');
      }),
    },
    {
      name: 'an unknown external metric is a 404 MetricsError',
      run: withProvider(async (p) => assertNotFound(get(p, 'conformance_no_such_metric', ''), ms, 'getExternalMetric(unknown)')),
    },
    {
      name: 'an already-aborted signal makes getExternalMetric reject',
      run: withProvider(async (p) =>
        assertRejectsForAbort(get(p, metric, '', AbortSignal.abort()), ms, 'getExternalMetric with an aborted signal'),
      ),
    },
    {
      name: 'backend failures answer with the Status of core\'s failure table (FAILURE_STATUS)',
      run: withProvider(async (_p, target) => {
        for (const [kind, make] of Object.entries(target.failing ?? {}) as [BackendFailureKind, () => ExternalMetricsProvider | Promise<ExternalMetricsProvider>][]) {
          assert.ok(kind in FAILURE_STATUS, `failing.${kind}: not a BackendFailureKind`);
          const broken = await make();
          const d = options.failureStatus?.[kind];
          const what = `getExternalMetric on a ${kind} backend`;
          if (d) await assertStatus(get(broken, metric, ''), d, ms, what, `failureStatus.${kind}: must answer ${d.code} ${d.reason} (${d.because})`);
          else await assertFailureKind(get(broken, metric, ''), kind, ms, what);
        }
      }),
    },
  );
  return cases;
}

function labelsInclude(actual: Readonly<Record<string, string>> | null, s: ConformanceExternalSeries): boolean {
  if (actual === null) return Object.keys(s.labels).length === 0;
  return Object.entries(s.labels).every(([k, v]) => Object.prototype.hasOwnProperty.call(actual, k) && actual[k] === v);
}
