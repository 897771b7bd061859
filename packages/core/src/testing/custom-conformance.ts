import assert from 'node:assert/strict';
import { withTarget } from './conformance-target.js';
import type { CustomMetricInfo, GroupResource, MetricValue } from '../model.js';
import type { CustomMetricsProvider } from '../provider.js';
import { FAILURE_STATUS, type BackendFailureKind } from '../backend-failure.js';
import { BUILTIN_RESOURCES } from '../builtin-resources.js';
import { metricSelectorOf } from '../metric-selector.js';
import { objectReference } from '../object-reference.js';
import { parseSelector, Selector } from '../selector.js';
import {
  assertClose,
  assertFailureKind,
  assertNotFound,
  assertRejectsForAbort,
  assertRejectsWith,
  assertStatus,
  assertTimestamp,
  declared,
  assertWindow,
  settleWithin,
} from './conformance-assert.js';
import {
  CONFORMANCE_NAMESPACES,
  conformanceData,
  type ConformanceCase,
  type ConformanceData,
  type ConformanceDataOptions,
  type ConformanceTarget,
  type CustomConformanceSetup,
  type DeclaredStatusOptions,
} from './conformance-data.js';

/** Options of {@link customProviderConformance}. */
export interface CustomConformanceOptions extends ConformanceDataOptions, DeclaredStatusOptions {
  /** Require `listAllMetrics` to list the seeded metrics. Default true. */
  expectListed?: boolean;
  /** Relative tolerance when comparing values. Default 1e-9. */
  tolerance?: number;
  /** How long a call may take before the kit calls it hung, in ms. Default 10 000. */
  callTimeoutMs?: number;
  /**
   * What the backend does with a `!=` metric selector (`verb!=GET`): `supported` (filters, the
   * default) or `rejected` (a 400 whose message names the operator). Never silently dropped.
   */
  notEqualsMetricSelector?: 'supported' | 'rejected';
}

const PODS: GroupResource = { group: '', resource: 'pods' };
const DEPLOYMENTS: GroupResource = { group: 'apps', resource: 'deployments' };
const NODES: GroupResource = { group: '', resource: 'nodes' };
const [NS_A, NS_B, NS_C] = CONFORMANCE_NAMESPACES;

/**
 * customProviderConformance returns the checks every {@link CustomMetricsProvider} must pass, for
 * any test runner: `for (const c of customProviderConformance(setup)) it(c.name, c.run)`.
 *
 * For each case the kit builds a {@link FakeKubeLookup} holding the objects of
 * {@link conformanceData} and a backend context over it, calls `setup({kube, context, data})`,
 * then `target.seed(data)` — where the backend writes `data.custom` into its real or doubled
 * store (each sample: the object, its series labels, the value) — runs the check, and finally
 * `target.cleanup()`. Checks: listAllMetrics is synchronous, does not throw and lists the data;
 * getMetricBySelector returns exactly the objects matching the selector in the namespace (objects
 * without data omitted), honours the metric selector and returns finite, correct values;
 * getMetricByName returns one object's value; unknown metrics and objects without the metric are
 * 404 MetricsErrors; an already-aborted signal rejects. A backend that documents another answer
 * for "no point" or for a failure kind declares it with `noPoint` / `failureStatus` (and why).
 */
export function customProviderConformance(setup: CustomConformanceSetup, options: CustomConformanceOptions = {}): ConformanceCase[] {
  const data = conformanceData(options);
  const plain = options.plainMetric ?? 'conformance_queue_length';
  const labelled = options.labelledMetric ?? 'conformance_requests';
  const tolerance = options.tolerance ?? 1e-9;
  const ms = options.callTimeoutMs ?? 10_000;
  const resources = new Set(options.resources ?? ['pods', 'deployments.apps', 'nodes']);
  const noPoint = declared(options.noPoint, 'noPoint');
  for (const [kind, d] of Object.entries(options.failureStatus ?? {})) declared(d, `failureStatus.${kind}`);
  const info = (groupResource: GroupResource, metric: string, namespaced = true): CustomMetricInfo => ({ groupResource, namespaced, metric });

  const withProvider = (fn: (p: CustomMetricsProvider, target: ConformanceTarget<CustomMetricsProvider>) => Promise<void>) => withTarget(setup, data, fn);

  const bySelector = async (
    p: CustomMetricsProvider,
    i: CustomMetricInfo,
    namespace: string,
    selector: string,
    metricSelector = '',
  ): Promise<MetricValue[]> => {
    const what = `getMetricBySelector(${i.metric} for ${i.groupResource.resource}, namespace ${JSON.stringify(namespace)}, selector ${JSON.stringify(selector)}, metricSelector ${JSON.stringify(metricSelector)})`;
    const values = await settleWithin(
      p.getMetricBySelector({
        namespace,
        selector: parseSelector(selector),
        info: i,
        metricSelector: parseSelector(metricSelector),
        signal: new AbortController().signal,
      }),
      ms,
      what,
    );
    assert.ok(Array.isArray(values), `${what}: must return an array`);
    return values;
  };

  /** Checks shape and that the values are exactly `expected` (object key → value). */
  const expectValues = (values: MetricValue[], i: CustomMetricInfo, metricSelector: string, expected: Record<string, number>, what: string) => {
    const seen = new Map<string, number>();
    for (const v of values) {
      const d = v.describedObject;
      const key = d.namespace ? `${d.namespace}/${d.name}` : d.name;
      assert.ok(!seen.has(key), `${what}: ${key} returned twice`);
      seen.set(key, v.value);
      checkValueShape(v, i, metricSelector, `${what} [${key}]`);
      assert.ok(key in expected, `${what}: returned ${key}, which the selector does not select or which has no data (expected only ${Object.keys(expected).join(', ') || 'nothing'})`);
      assertClose(v.value, expected[key], tolerance, `${what} [${key}]`);
    }
    for (const k of Object.keys(expected)) assert.ok(seen.has(k), `${what}: missing ${k}`);
  };

  const checkValueShape = (v: MetricValue, i: CustomMetricInfo, metricSelector: string, what: string) => {
    assert.equal(v.metric?.name, i.metric, `${what}: metric.name`);
    const msel = parseSelector(metricSelector);
    assert.deepEqual(v.metric.selector, metricSelectorOf(msel), `${what}: metric.selector must reflect the metric selector`);
    assertTimestamp(v.timestamp, what);
    assertWindow(v.windowSeconds, what);
    const gr = i.groupResource;
    const builtin = BUILTIN_RESOURCES.find((r) => r.groupResource.group === gr.group && r.groupResource.resource === gr.resource);
    if (!i.namespaced) assert.ok(!v.describedObject.namespace, `${what}: a cluster-scoped object has no namespace`);
    if (builtin) {
      // helpers.ReferenceFor: "/v1" for the core group, the namespace as asked, never a uid.
      const want = objectReference(builtin.gvk, i.namespaced ? v.describedObject.namespace : '', v.describedObject.name);
      assert.deepEqual(v.describedObject, want, `${what}: describedObject must be core's objectReference() (as helpers.ReferenceFor builds it)`);
    }
  };

  /** Data that exists without a point: `[]` or a 404, or the Status the backend declared (`noPoint`). */
  const expectNoPoint = async (p: Promise<MetricValue[]>, what: string) => {
    if (noPoint) return assertStatus(p, noPoint, ms, what, `noPoint: must answer ${noPoint.code} ${noPoint.reason} (${noPoint.because})`);
    try {
      const values = await settleWithin(p, ms, what);
      assert.deepEqual(values, [], `${what}: expected no values`);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      await assertNotFound(Promise.reject(e), ms, what);
    }
  };

  const byName = (p: CustomMetricsProvider, i: CustomMetricInfo, namespace: string, name: string, metricSelector = '', signal = new AbortController().signal) =>
    p.getMetricByName({ namespace, name, info: i, metricSelector: parseSelector(metricSelector), signal });

  /** An existing object without a point, by name: a 404, or the Status the backend declared (`noPoint`). */
  const byNameNoPoint = (p: Promise<MetricValue>, what: string) =>
    noPoint ? assertStatus(p, noPoint, ms, what, `noPoint: must answer ${noPoint.code} ${noPoint.reason} (${noPoint.because})`) : assertNotFound(p, ms, what);

  const cases: ConformanceCase[] = [
    {
      name: 'listAllMetrics is synchronous and does not throw',
      run: withProvider(async (p) => {
        const list = p.listAllMetrics();
        assert.ok(Array.isArray(list), 'listAllMetrics must return an array synchronously (not a Promise)');
        for (const m of list) {
          assert.equal(typeof m.metric, 'string', 'each info has a metric name');
          assert.equal(typeof m.groupResource?.resource, 'string', 'each info has a group-resource');
          assert.equal(typeof m.groupResource?.group, 'string', 'each info has a group');
          assert.equal(typeof m.namespaced, 'boolean', 'each info says whether it is namespaced');
        }
      }),
    },
  ];
  if (options.expectListed ?? true) {
    cases.push({
      name: 'listAllMetrics lists the seeded metrics',
      run: withProvider(async (p) => {
        const list = p.listAllMetrics();
        const has = (gr: GroupResource, metric: string) =>
          list.some((m) => m.metric === metric && m.groupResource.group === gr.group && m.groupResource.resource === gr.resource);
        for (const s of uniqueInfos(data)) {
          assert.ok(has(s.groupResource, s.metric), `listAllMetrics lacks ${s.metric} for ${s.groupResource.resource}`);
        }
      }),
    });
  }

  if (resources.has('pods')) {
    const pp = info(PODS, plain);
    const pl = info(PODS, labelled);
    cases.push(
      {
        name: 'getMetricBySelector returns exactly the matching objects of the namespace, omitting objects without data',
        run: withProvider(async (p) => {
          expectValues(await bySelector(p, pp, NS_A, 'app=web'), pp, '', { [`${NS_A}/web-1`]: 10, [`${NS_A}/web-2`]: 20.5 }, 'app=web');
          expectValues(await bySelector(p, pp, NS_A, 'app=nothing'), pp, '', {}, 'app=nothing');
        }),
      },
      {
        name: 'getMetricBySelector with an empty selector returns every object with data in the namespace (zero values included)',
        run: withProvider(async (p) => {
          expectValues(await bySelector(p, pp, NS_A, ''), pp, '', { [`${NS_A}/web-1`]: 10, [`${NS_A}/web-2`]: 20.5, [`${NS_A}/db-1`]: 0 }, 'everything in A');
          expectValues(await bySelector(p, pp, NS_B, ''), pp, '', { [`${NS_B}/web-1`]: 40 }, 'everything in B');
        }),
      },
      {
        name: 'getMetricBySelector honours set-based, negative and existence selectors',
        run: withProvider(async (p) => {
          const a = (n: string) => `${NS_A}/${n}`;
          expectValues(await bySelector(p, pp, NS_A, 'app in (db,web),tier!=backend'), pp, '', { [a('web-1')]: 10, [a('db-1')]: 0 }, 'in + !=');
          expectValues(await bySelector(p, pp, NS_A, '!tier'), pp, '', { [a('db-1')]: 0 }, '!tier');
          expectValues(await bySelector(p, pp, NS_A, 'app,tier notin (frontend)'), pp, '', { [a('web-2')]: 20.5, [a('db-1')]: 0 }, 'exists + notin');
          expectValues(await bySelector(p, pp, NS_A, 'app==web,tier'), pp, '', { [a('web-1')]: 10, [a('web-2')]: 20.5 }, '== + exists');
        }),
      },
      {
        name: 'getMetricBySelector respects the metric selector',
        run: withProvider(async (p) => {
          const a = (n: string) => `${NS_A}/${n}`;
          expectValues(await bySelector(p, pl, NS_A, 'app=web', 'verb=GET'), pl, 'verb=GET', { [a('web-1')]: 1, [a('web-2')]: 3 }, 'verb=GET');
          expectValues(await bySelector(p, pl, NS_A, '', 'verb in (POST)'), pl, 'verb in (POST)', { [a('web-1')]: 2, [a('web-2')]: 4 }, 'verb in (POST)');
          await expectNoPoint(
            p.getMetricBySelector({ namespace: NS_A, selector: Selector.everything(), info: pl, metricSelector: parseSelector('verb=DELETE'), signal: new AbortController().signal }),
            'a metric selector matching no series',
          );
        }),
      },
      {
        name: 'getMetricByName returns the value of one object',
        run: withProvider(async (p) => {
          const v = await settleWithin(byName(p, pp, NS_A, 'web-2'), ms, 'getMetricByName(web-2)');
          expectValues([v], pp, '', { [`${NS_A}/web-2`]: 20.5 }, 'getMetricByName(web-2)');
          const z = await settleWithin(byName(p, pp, NS_A, 'db-1'), ms, 'getMetricByName(db-1)');
          expectValues([z], pp, '', { [`${NS_A}/db-1`]: 0 }, 'getMetricByName(db-1)');
          const l = await settleWithin(byName(p, pl, NS_B, 'web-1', 'verb=POST'), ms, 'getMetricByName(B web-1, verb=POST)');
          expectValues([l], pl, 'verb=POST', { [`${NS_B}/web-1`]: 8 }, 'getMetricByName(B web-1, verb=POST)');
        }),
      },
      {
        name: 'object names are matched literally, not as patterns (names containing ".")',
        run: withProvider(async (p) => {
          const c = (n: string) => `${NS_C}/${n}`;
          expectValues(await bySelector(p, pp, NS_C, ''), pp, '', { [c('api.v1')]: 11, [c('apixv1')]: 22 }, 'everything in C');
          expectValues(await bySelector(p, pp, NS_C, '!variant'), pp, '', { [c('api.v1')]: 11 }, '!variant in C');
          const v = await settleWithin(byName(p, pp, NS_C, 'api.v1'), ms, 'getMetricByName(api.v1)');
          expectValues([v], pp, '', { [c('api.v1')]: 11 }, 'getMetricByName(api.v1)');
        }),
      },
      {
        name: noPoint
          ? `getMetricByName is ${noPoint.code} for an existing object without the metric (${noPoint.because}), 404 for an object that does not exist`
          : 'getMetricByName is a 404 MetricsError for an object without the metric',
        run: withProvider(async (p) => {
          await byNameNoPoint(byName(p, pp, NS_A, 'web-3'), 'getMetricByName(web-3) (no data)');
          await assertNotFound(byName(p, pp, NS_A, 'no-such-pod'), ms, 'getMetricByName(no-such-pod)');
          await byNameNoPoint(byName(p, pl, NS_A, 'db-1', 'verb=POST'), 'getMetricByName(db-1, verb=POST) (no matching series)');
        }),
      },
      {
        name: 'an unknown metric is a 404 MetricsError',
        run: withProvider(async (p) => {
          const unknown = info(PODS, 'conformance_no_such_metric');
          await assertNotFound(bySelector(p, unknown, NS_A, ''), ms, 'getMetricBySelector(unknown metric)');
          await assertNotFound(byName(p, unknown, NS_A, 'web-1'), ms, 'getMetricByName(unknown metric)');
        }),
      },
      {
        name: 'an already-aborted signal makes both calls reject',
        run: withProvider(async (p) => {
          await assertRejectsForAbort(
            p.getMetricBySelector({ namespace: NS_A, selector: Selector.everything(), info: pp, metricSelector: Selector.everything(), signal: AbortSignal.abort() }),
            ms,
            'getMetricBySelector with an aborted signal',
          );
          await assertRejectsForAbort(byName(p, pp, NS_A, 'web-1', '', AbortSignal.abort()), ms, 'getMetricByName with an aborted signal');
        }),
      },
    );
    const notEquals = options.notEqualsMetricSelector ?? 'supported';
    cases.push({
      name: notEquals === 'supported' ? 'a != metric selector filters series (never silently dropped)' : 'a != metric selector is a 400 naming the operator (never silently dropped)',
      run: withProvider(async (p) => {
        const a = (n: string) => `${NS_A}/${n}`;
        if (notEquals === 'supported') {
          expectValues(await bySelector(p, pl, NS_A, 'app=web', 'verb!=GET'), pl, 'verb!=GET', { [a('web-1')]: 2, [a('web-2')]: 4 }, 'verb!=GET');
          const v = await settleWithin(byName(p, pl, NS_A, 'web-2', 'verb!=POST'), ms, 'getMetricByName(web-2, verb!=POST)');
          expectValues([v], pl, 'verb!=POST', { [a('web-2')]: 3 }, 'getMetricByName(web-2, verb!=POST)');
        } else {
          await assertRejectsWith(bySelector(p, pl, NS_A, 'app=web', 'verb!=GET'), 400, '!=', ms, 'getMetricBySelector(verb!=GET)');
          await assertRejectsWith(byName(p, pl, NS_A, 'web-2', 'verb!=POST'), 400, '!=', ms, 'getMetricByName(verb!=POST)');
        }
      }),
    });
  }
  cases.push({
    name: 'backend failures answer with the Status of core\'s failure table (FAILURE_STATUS)',
    run: withProvider(async (_p, target) => {
      const i = resources.has('pods') ? info(PODS, plain) : resources.has('nodes') ? info(NODES, plain, false) : info(DEPLOYMENTS, plain);
      const ns = i.namespaced ? NS_A : '';
      for (const [kind, make] of Object.entries(target.failing ?? {}) as [BackendFailureKind, () => CustomMetricsProvider | Promise<CustomMetricsProvider>][]) {
        assert.ok(kind in FAILURE_STATUS, `failing.${kind}: not a BackendFailureKind`);
        const broken = await make();
        const d = options.failureStatus?.[kind];
        const what = `getMetricBySelector on a ${kind} backend`;
        if (d) await assertStatus(bySelector(broken, i, ns, ''), d, ms, what, `failureStatus.${kind}: must answer ${d.code} ${d.reason} (${d.because})`);
        else await assertFailureKind(bySelector(broken, i, ns, ''), kind, ms, what);
      }
    }),
  });
  if (resources.has('deployments.apps')) {
    const d = info(DEPLOYMENTS, plain);
    cases.push({
      name: 'serves object metrics of a non-core resource (deployments.apps)',
      run: withProvider(async (p) => {
        const v = await settleWithin(byName(p, d, NS_A, 'web'), ms, 'getMetricByName(deployment web)');
        expectValues([v], d, '', { [`${NS_A}/web`]: 100 }, 'getMetricByName(deployment web)');
        expectValues(await bySelector(p, d, NS_B, 'app=web'), d, '', { [`${NS_B}/web`]: 200 }, 'deployments in B');
      }),
    });
  }
  if (resources.has('nodes')) {
    const n = info(NODES, plain, false);
    cases.push({
      name: 'serves cluster-scoped objects (nodes) with namespace ""',
      run: withProvider(async (p) => {
        expectValues(await bySelector(p, n, '', 'role=worker'), n, '', { 'node-a': 1000 }, 'nodes role=worker');
        expectValues(await bySelector(p, n, '', ''), n, '', { 'node-a': 1000, 'node-b': 2000 }, 'all nodes');
        const v = await settleWithin(byName(p, n, '', 'node-b'), ms, 'getMetricByName(node-b)');
        expectValues([v], n, '', { 'node-b': 2000 }, 'getMetricByName(node-b)');
        await byNameNoPoint(byName(p, n, '', 'node-c'), 'getMetricByName(node-c) (no data)');
      }),
    });
  }
  return cases;
}

function uniqueInfos(data: ConformanceData): CustomMetricInfo[] {
  const seen = new Map<string, CustomMetricInfo>();
  for (const s of data.custom) seen.set(`${s.info.groupResource.group}/${s.info.groupResource.resource}/${s.info.metric}`, s.info);
  return [...seen.values()];
}
