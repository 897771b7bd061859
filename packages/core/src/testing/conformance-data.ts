import type { BackendFailureKind } from '../backend-failure.js';
import type { KubeObject } from '../kube.js';
import type { CustomMetricInfo } from '../model.js';
import type { CustomMetricsProvider, ExternalMetricsProvider } from '../provider.js';
import type { FakeBackendContext } from './fake-context.js';
import type { FakeKubeLookup } from './fake-kube.js';

/**
 * One custom-metric series the conformance kit asks the backend to hold: `object` has the value
 * `value` for `info.metric`; `labels` are the series' own labels (what `metricSelector` filters
 * on, e.g. `{verb: "GET"}`), in addition to whatever labels the backend uses to tie a series to
 * its object (namespace, pod, deployment, node…).
 */
export interface ConformanceCustomSample {
  readonly info: CustomMetricInfo;
  readonly object: KubeObject;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One external-metric series the kit asks the backend to hold. */
export interface ConformanceExternalSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Everything the kit seeds: the cluster's objects and the metric data the backend must serve. */
export interface ConformanceData {
  /** When the samples were taken (whole seconds). Write samples at this time. */
  readonly timestamp: Date;
  /** The objects of the fake cluster (already in the {@link FakeKubeLookup} the kit gives setup). */
  readonly objects: readonly KubeObject[];
  readonly custom: readonly ConformanceCustomSample[];
  readonly external: readonly ConformanceExternalSeries[];
}

/** What the kit gives a setup function. */
export interface ConformanceEnv {
  /** The fake cluster; hand it to the provider (it already holds `data.objects`). */
  readonly kube: FakeKubeLookup;
  /** A backend context over `kube` with recording logger and metrics. */
  readonly context: FakeBackendContext;
  /** The data the kit will pass to `seed`. */
  readonly data: ConformanceData;
}

/**
 * A Status a backend declares it answers where the kit's general rule does not fit it, with the
 * reason: see `noPoint` and `failureStatus` of the kit options. Declare one only for a documented
 * behaviour of the backend (its README says it), never to get a failing check to pass.
 */
export interface DeclaredStatus {
  /** The HTTP code of the Status (e.g. 503). */
  readonly code: number;
  /** The Status reason (e.g. `ServiceUnavailable`). */
  readonly reason: string;
  /** Why the backend answers so; must be non-empty (it is part of the case's name). */
  readonly because: string;
}

/** Options the two kits share: how a backend answers where it documents a different Status. */
export interface DeclaredStatusOptions {
  /**
   * How the backend answers when the request names data that exists but the backend has no point
   * for it in its window: objects that exist without a value (`getMetricBySelector` over them, a
   * metric selector matching no series, `getMetricByName` of an existing object without data), or
   * an external metric selector matching no series. Default: an empty list or a 404. An object or
   * a metric that does not exist stays a 404 whatever this says.
   */
  noPoint?: DeclaredStatus;
  /**
   * The Status a `failing` provider of a kind answers instead of the one `FAILURE_STATUS` gives
   * that kind (e.g. a backend that isolates a rejected query and answers 503 while retrying it).
   */
  failureStatus?: Partial<Record<BackendFailureKind, DeclaredStatus>>;
}

/** What a setup function returns: the provider under test and how to load data into its backend. */
export interface ConformanceTarget<P> {
  readonly provider: P;
  /**
   * Writes `data` into the backend the provider reads (a real Prometheus or InfluxDB, a doubled
   * HTTP API, an in-memory store…) and waits until the provider can see it (e.g. re-runs
   * discovery). Called once per case before it runs; must be idempotent.
   */
  seed(data: ConformanceData): Promise<void> | void;
  /** Releases what setup created for this case. */
  cleanup?(): Promise<void> | void;
  /**
   * Providers over the same data whose backend fails in one way each, e.g. `unreachable` (the
   * backend's URL points at a closed port) or `rejected` (a rule whose query the backend refuses).
   * The kit checks that each fails with the Status core's `FAILURE_STATUS` gives that kind. Every
   * backend that talks to something over the network should provide at least `unreachable`.
   */
  readonly failing?: Partial<Record<BackendFailureKind, () => P | Promise<P>>>;
}

/**
 * A setup function. The kit calls it once per case: keep heavy resources (processes, servers) in
 * your own `beforeAll`/`afterAll` and make setup build a fresh provider over them.
 */
export type CustomConformanceSetup = (env: ConformanceEnv) => Promise<ConformanceTarget<CustomMetricsProvider>>;
/** A setup function for {@link externalProviderConformance}; see {@link CustomConformanceSetup}. */
export type ExternalConformanceSetup = (env: ConformanceEnv) => Promise<ConformanceTarget<ExternalMetricsProvider>>;

/** One conformance check, to register with any test runner: `it(c.name, c.run)`. */
export interface ConformanceCase {
  readonly name: string;
  run(): Promise<void>;
}

/** The resources the custom kit can exercise. */
export type ConformanceResource = 'pods' | 'deployments.apps' | 'nodes';

/** Names and scope of the data; every field has a default. */
export interface ConformanceDataOptions {
  /** Custom metric with one series per object. Default `conformance_queue_length`. */
  plainMetric?: string;
  /** Custom metric with `verb`-labelled series per pod. Default `conformance_requests`. */
  labelledMetric?: string;
  /** External metric (mixed case on purpose). Default `conformance_Queue_Messages`. */
  externalMetric?: string;
  /** Resources seeded and exercised. Default all: pods, deployments.apps, nodes. */
  resources?: readonly ConformanceResource[];
}

/** The namespaces the kit's objects live in. */
export const CONFORMANCE_NAMESPACES = ['conformance-a', 'conformance-b', 'conformance-c'] as const;

const obj = (group: string, kind: string, namespace: string | undefined, name: string, labels: Record<string, string>): KubeObject => ({
  gvk: { group, version: 'v1', kind },
  name,
  ...(namespace !== undefined ? { namespace } : {}),
  uid: `uid-${kind.toLowerCase()}-${namespace ?? 'cluster'}-${name}`,
  labels,
  annotations: {},
});

/**
 * conformanceData builds the data the kits seed. Exposed so a backend's tests can look at it.
 * Pods in `conformance-a`: web-1 {app:web,tier:frontend} = 10, web-2 {app:web,tier:backend} = 20.5,
 * db-1 {app:db} = 0, web-3 {app:web,tier:frontend} without data; in `conformance-b`: web-1 = 40;
 * in `conformance-c`: api.v1 {app:api} = 11 and apixv1 {app:api,variant:x} = 22 (a regex trap).
 * The labelled metric has `verb` GET/POST series per pod.
 * Deployments `web` in both namespaces (100, 200); nodes node-a {role:worker} = 1000,
 * node-b {role:control-plane} = 2000, node-c {role:worker} without data.
 */
export function conformanceData(options: ConformanceDataOptions = {}, timestamp = wholeSecondNow()): ConformanceData {
  const plain = options.plainMetric ?? 'conformance_queue_length';
  const labelled = options.labelledMetric ?? 'conformance_requests';
  const external = options.externalMetric ?? 'conformance_Queue_Messages';
  const resources = new Set(options.resources ?? ['pods', 'deployments.apps', 'nodes']);
  const [a, b, c] = CONFORMANCE_NAMESPACES;
  const objects: KubeObject[] = [];
  const custom: ConformanceCustomSample[] = [];
  const add = (info: CustomMetricInfo, o: KubeObject, value: number, labels: Record<string, string> = {}) =>
    custom.push({ info, object: o, labels, value });

  if (resources.has('pods')) {
    const pods = { group: '', resource: 'pods' };
    const p = { groupResource: pods, namespaced: true, metric: plain };
    const l = { groupResource: pods, namespaced: true, metric: labelled };
    const web1 = obj('', 'Pod', a, 'web-1', { app: 'web', tier: 'frontend' });
    const web2 = obj('', 'Pod', a, 'web-2', { app: 'web', tier: 'backend' });
    const db1 = obj('', 'Pod', a, 'db-1', { app: 'db' });
    const web3 = obj('', 'Pod', a, 'web-3', { app: 'web', tier: 'frontend' });
    const bWeb1 = obj('', 'Pod', b, 'web-1', { app: 'web', tier: 'frontend' });
    objects.push(web1, web2, db1, web3, bWeb1);
    add(p, web1, 10);
    add(p, web2, 20.5);
    add(p, db1, 0);
    add(p, bWeb1, 40);
    add(l, web1, 1, { verb: 'GET' });
    add(l, web1, 2, { verb: 'POST' });
    add(l, web2, 3, { verb: 'GET' });
    add(l, web2, 4, { verb: 'POST' });
    add(l, db1, 5, { verb: 'GET' });
    add(l, bWeb1, 7, { verb: 'GET' });
    add(l, bWeb1, 8, { verb: 'POST' });
    // Names with '.', a regex metacharacter: a backend that puts names into a regex unescaped
    // would mix these two up.
    const dotted = obj('', 'Pod', c, 'api.v1', { app: 'api' });
    const lookalike = obj('', 'Pod', c, 'apixv1', { app: 'api', variant: 'x' });
    objects.push(dotted, lookalike);
    add(p, dotted, 11);
    add(p, lookalike, 22);
  }
  if (resources.has('deployments.apps')) {
    const d = { groupResource: { group: 'apps', resource: 'deployments' }, namespaced: true, metric: plain };
    const aWeb = obj('apps', 'Deployment', a, 'web', { app: 'web' });
    const bWeb = obj('apps', 'Deployment', b, 'web', { app: 'web' });
    objects.push(aWeb, bWeb);
    add(d, aWeb, 100);
    add(d, bWeb, 200);
  }
  if (resources.has('nodes')) {
    const n = { groupResource: { group: '', resource: 'nodes' }, namespaced: false, metric: plain };
    const nodeA = obj('', 'Node', undefined, 'node-a', { role: 'worker' });
    const nodeB = obj('', 'Node', undefined, 'node-b', { role: 'control-plane' });
    const nodeC = obj('', 'Node', undefined, 'node-c', { role: 'worker' });
    objects.push(nodeA, nodeB, nodeC);
    add(n, nodeA, 1000);
    add(n, nodeB, 2000);
  }
  const ext = (labels: Record<string, string>, value: number): ConformanceExternalSeries => ({
    metric: external,
    labels: { namespace: a, ...labels },
    value,
  });
  return {
    timestamp,
    objects,
    custom,
    external: [
      ext({ queue: 'worker', env: 'prod' }, 5),
      ext({ queue: 'mailer', env: 'prod' }, 7.25),
      ext({ queue: 'worker', env: 'staging' }, 0),
      // '.' is a regex metacharacter: `queue=jobs.v2` must not select `jobsxv2`.
      ext({ queue: 'jobs.v2', env: 'prod' }, 11),
      ext({ queue: 'jobsxv2', env: 'prod' }, 13),
    ],
  };
}

function wholeSecondNow(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}
