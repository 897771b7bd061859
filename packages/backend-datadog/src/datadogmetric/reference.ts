/**
 * `DatadogMetric` references, as the Datadog Cluster Agent serves them: an HPA's external metric
 * named `datadogmetric@<namespace>:<name>` takes its query from the `DatadogMetric` object
 * (`datadoghq.com/v1alpha1`) `<namespace>/<name>`: `spec.query`, and optionally `spec.maxAge` and
 * `spec.timeWindow` (Go durations) in place of the backend's `maxAge` and window.
 *
 * Facts taken from the Cluster Agent (datadog-agent `pkg/clusteragent/autoscaling/externalmetrics`):
 * the name is matched lower-cased against `datadogmetric@<dns label>:<dns label>`; a missing
 * `timeWindow` falls back to `maxAge`, then to the default window; windows above 24 h are capped;
 * the HPA's `metricSelector` is not used. The Cluster Agent serves one value without labels; here a
 * query answering several series gives one item per series, labelled with its tags.
 */
import { BadRequestError, NotFoundError, ServiceUnavailableError, isMetricsError, parseDuration } from '@custom-metrics/core';
import type { GroupResource, KubeLookup, KubeObject } from '@custom-metrics/core';

/** The resource read through the cluster lookup. */
export const DATADOGMETRIC_RESOURCE: GroupResource = Object.freeze({ group: 'datadoghq.com', resource: 'datadogmetrics' });

/** The prefix of a reference (the HPA lower-cases external metric names; so does the Cluster Agent). */
export const DATADOGMETRIC_PREFIX = 'datadogmetric@';

/** The Cluster Agent's cap on a query window (`external_metrics_provider.max_time_window`, 24 h). */
export const MAX_TIME_WINDOW_SECONDS = 24 * 3600;

/** The longest `spec.query` accepted (Datadog's own limit is far above any real query). */
export const MAX_QUERY_LENGTH = 4096;

// A namespace is a DNS label; an object name a DNS subdomain (the Cluster Agent takes labels only).
const REFERENCE = /^datadogmetric@([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?):([a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)$/;

/** A parsed reference. */
export interface DatadogMetricRef {
  readonly namespace: string;
  readonly name: string;
}

/** isReference tells whether an external metric name is meant as a DatadogMetric reference. */
export function isReference(metric: string): boolean {
  return metric.toLowerCase().startsWith(DATADOGMETRIC_PREFIX);
}

/**
 * parseReference reads `datadogmetric@<namespace>:<name>` (case-insensitive).
 * @throws {NotFoundError} (404) naming the expected form, when the name has the prefix but not the form.
 */
export function parseReference(metric: string): DatadogMetricRef {
  const m = REFERENCE.exec(metric.toLowerCase());
  if (!m) {
    throw new NotFoundError(
      `external metric ${JSON.stringify(metric)} is not a valid DatadogMetric reference; write datadogmetric@<namespace>:<name> with the DatadogMetric's namespace and name`,
    );
  }
  return { namespace: m[1] as string, name: m[2] as string };
}

/** referenceName is the external metric name of a DatadogMetric object. */
export function referenceName(namespace: string, name: string): string {
  return `${DATADOGMETRIC_PREFIX}${namespace}:${name}`;
}

/** What a DatadogMetric asks for, checked. */
export interface DatadogMetricSpec {
  readonly query: string;
  /** `spec.maxAge` in ms, when set (a value older than this is refused). */
  readonly maxAgeMs?: number;
  /** The query window in seconds. */
  readonly windowSeconds: number;
}

const describe = (ref: DatadogMetricRef) => `DatadogMetric ${ref.namespace}/${ref.name}`;

function duration(ref: DatadogMetricRef, spec: Readonly<Record<string, unknown>>, field: 'maxAge' | 'timeWindow'): number | undefined {
  const raw = spec[field];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const bad = () =>
    new BadRequestError(`${describe(ref)}: spec.${field} ${JSON.stringify(raw)} is not a duration; write a Go duration such as 90s, 5m or 1h (fix the DatadogMetric object)`);
  if (typeof raw !== 'string') throw bad();
  let ms: number;
  try {
    ms = parseDuration(raw);
  } catch {
    throw bad();
  }
  return ms > 0 ? ms : undefined;
}

/**
 * readSpec checks a DatadogMetric's spec; `defaultWindowSeconds` is the backend's window.
 * @throws {BadRequestError} (400) naming the object and the field to fix.
 */
export function readSpec(ref: DatadogMetricRef, obj: Pick<KubeObject, 'spec'>, defaultWindowSeconds: number): DatadogMetricSpec {
  const spec = obj.spec ?? {};
  const query = spec.query;
  if (typeof query !== 'string' || query.trim() === '') {
    throw new BadRequestError(`${describe(ref)} has no spec.query; set spec.query to a Datadog metric query such as avg:nginx.net.request_per_s{kube_service:nginx}`);
  }
  if (query.length > MAX_QUERY_LENGTH) {
    throw new BadRequestError(`${describe(ref)}: spec.query is ${query.length} characters long, more than the ${MAX_QUERY_LENGTH} accepted`);
  }
  // The Cluster Agent resolves %%env_<VAR>%% from its own environment (and %%tag_kube_cluster_name%%).
  // Anyone who may write a DatadogMetric could then read the server's environment (its keys) through
  // Datadog: template variables are refused.
  if (/%%[^%]*%%/.test(query)) {
    throw new BadRequestError(
      `${describe(ref)}: spec.query uses a template variable (%%env_...%% or %%tag_...%%), which this server does not resolve; write the value into spec.query`,
    );
  }
  // Control characters (a newline included) are never part of a Datadog query.
  if ([...query].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new BadRequestError(`${describe(ref)}: spec.query contains a control character (e.g. a newline); write the query on one line`);
  }
  const maxAgeMs = duration(ref, spec, 'maxAge');
  const timeWindowMs = duration(ref, spec, 'timeWindow');
  let windowSeconds = timeWindowMs !== undefined ? Math.ceil(timeWindowMs / 1000) : Math.max(defaultWindowSeconds, Math.ceil((maxAgeMs ?? 0) / 1000));
  windowSeconds = Math.min(Math.max(windowSeconds, 1), MAX_TIME_WINDOW_SECONDS);
  return { query: query.trim(), ...(maxAgeMs !== undefined ? { maxAgeMs } : {}), windowSeconds };
}

const crdMissing = () =>
  new NotFoundError(
    'external metrics named datadogmetric@<namespace>:<name> are read from DatadogMetric objects, but the cluster does not serve the ' +
      'datadogmetrics.datadoghq.com resource (there is no cluster in standalone mode); install the DatadogMetric CRD or use a rule in the backend config',
  );

/**
 * lookupDatadogMetric reads the object through the cluster lookup (an informer in the server).
 * @throws {NotFoundError} (404) when the CRD is not served or the object does not exist;
 *   {@link ServiceUnavailableError} (503) when the cluster cannot be read, with the RBAC hint.
 */
export async function lookupDatadogMetric(kube: KubeLookup, ref: DatadogMetricRef): Promise<KubeObject> {
  let obj: KubeObject | undefined;
  try {
    obj = await kube.getObject(DATADOGMETRIC_RESOURCE, ref.namespace, ref.name);
  } catch (e) {
    if (isMetricsError(e) && e.code === 404) throw crdMissing();
    if (isMetricsError(e) && e.code === 503) {
      throw new ServiceUnavailableError(
        `${e.message}; to read DatadogMetric objects the server's ClusterRole must allow get, list and watch on datadogmetrics.datadoghq.com`,
        5,
      );
    }
    throw e;
  }
  if (!obj) {
    throw new NotFoundError(`${describe(ref)} not found; create it (apiVersion datadoghq.com/v1alpha1, kind DatadogMetric) or fix the HPA's metric name`);
  }
  return obj;
}

/** listReferences names every DatadogMetric in the cluster; `undefined` when the CRD is not served. */
export async function listReferences(kube: KubeLookup, everything: Parameters<KubeLookup['listObjects']>[2]): Promise<string[] | undefined> {
  try {
    const objects = await kube.listObjects(DATADOGMETRIC_RESOURCE, '', everything);
    return objects.filter((o) => o.namespace !== undefined).map((o) => referenceName(o.namespace as string, o.name));
  } catch (e) {
    if (isMetricsError(e) && e.code === 404) return undefined;
    throw e;
  }
}
