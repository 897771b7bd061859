// Turns a metrics API answer into values or an `<unknown>` reason. Pure: no I/O; the engine
// supplies what it looked up (discovery, matching objects).
import { closestNames, type Reason } from './reasons.js';

/** An HTTP answer as the engine saw it. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** One value of a MetricValueList / ExternalMetricValueList. */
export interface MetricItemValue {
  /** `Kind namespace/name` for custom metrics, the series labels for external ones. */
  readonly object: string;
  readonly value: string;
  readonly timestamp?: string;
}

/** What the engine knows when classifying an answer. */
export interface ClassifyContext {
  /** `custom.metrics.k8s.io/v1beta2`, ... */
  readonly groupVersion: string;
  /** The metric's name. */
  readonly metric: string;
  /** The names listed by discovery for this resource (`undefined`: discovery failed). */
  readonly listed?: readonly string[];
  /** Every metric name listed by the group version (for suggestions). */
  readonly allListed?: readonly string[];
  /** How many objects the selector matched (`undefined`: not applicable or unknown). */
  readonly matchingObjects?: number;
  /** The selector, for messages. */
  readonly selectorText: string;
  /** What the selector selects, for messages (`pods of Deployment web`, `series`). */
  readonly selects: string;
  readonly now: Date;
  /** Values older than this are reported stale. */
  readonly maxAgeMs: number;
}

const statusMessage = (body: unknown): string => {
  const m = (body as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m : '(no Status message)';
};

/** The items of a metric list answer. */
export function metricItems(body: unknown): MetricItemValue[] {
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) return [];
  return items.map((raw) => {
    const it = raw as { describedObject?: { kind?: string; namespace?: string; name?: string }; metricLabels?: Record<string, string>; value?: unknown; timestamp?: unknown };
    const d = it.describedObject;
    const object = d ? `${d.kind ?? ''} ${d.namespace ? `${d.namespace}/` : ''}${d.name ?? ''}`.trim() : `{${Object.entries(it.metricLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}}`;
    return { object, value: String(it.value ?? ''), ...(typeof it.timestamp === 'string' ? { timestamp: it.timestamp } : {}) };
  });
}

/**
 * classifyAnswer returns the values of a 200 answer, or the reason the HPA controller would get
 * none: 401/403 (forbidden), 404 (metric not listed, selector matching nothing, no value), 400,
 * 5xx (backend error; a message about age is a stale value, one starting "no point found" is no
 * value), an empty list, or values older than `maxAgeMs`.
 */
export function classifyAnswer(answer: ApiAnswer, ctx: ClassifyContext): { values: MetricItemValue[]; reason?: Reason } {
  const msg = statusMessage(answer.body);
  const notListed = (): Reason | undefined => {
    if (ctx.listed === undefined || ctx.listed.includes(ctx.metric)) return undefined;
    const near = closestNames(ctx.metric, ctx.allListed ?? ctx.listed);
    return {
      code: 'metric-not-listed',
      message: `no backend lists metric "${ctx.metric}" in ${ctx.groupVersion} for ${ctx.selects}${near.length ? `; closest listed: ${near.join(', ')}` : ' (nothing close is listed)'}`,
      fix: near.length
        ? `use the name the server lists (kubectl get --raw /apis/${ctx.groupVersion}), or add a rule to a backend's config that produces "${ctx.metric}"`
        : `add a rule to a backend's config that produces "${ctx.metric}" (kubectl get --raw /apis/${ctx.groupVersion} shows what is listed)`,
    };
  };
  const noObjects = (): Reason | undefined =>
    ctx.matchingObjects === 0
      ? {
          code: 'no-matching-objects',
          message: `the selector "${ctx.selectorText}" matches no ${ctx.selects}`,
          fix: 'fix the selector (the scale target\'s spec.selector, or the metric\'s selector) so it matches existing objects, or wait for them to exist',
        }
      : undefined;
  const noValues = (detail: string): Reason => ({
    code: 'no-values',
    message: `${detail}${ctx.matchingObjects !== undefined ? ` (${ctx.matchingObjects} ${ctx.selects} match "${ctx.selectorText}")` : ''}`,
    fix: 'check that the backend has data for these objects (the labels the rule maps to namespace/pod/object must be present on the series) and that its query window covers recent data',
  });

  if (answer.status === 401 || answer.status === 403) {
    return {
      values: [],
      reason: {
        code: 'forbidden',
        message: `${ctx.groupVersion} answered ${answer.status} to your credentials: ${msg}`,
        fix: 'the identity in your kubeconfig needs get on this metrics API (the HPA controller gets it from the ClusterRole system:controller:horizontal-pod-autoscaler); or authenticate with other credentials',
      },
    };
  }
  if (answer.status === 404) {
    return { values: [], reason: notListed() ?? noObjects() ?? noValues(`the server has no value for "${ctx.metric}": ${msg}`) };
  }
  if (answer.status === 400) {
    return { values: [], reason: { code: 'bad-request', message: `${ctx.groupVersion} rejected the request: ${msg}`, fix: 'fix the metric name or selector in the HPA as the message says' } };
  }
  if (answer.status >= 500 || answer.status < 200 || answer.status >= 300) {
    // A backend that answers "no point found" with a 503 (Datadog): the metric exists, values do not.
    if (/^no point found\b/i.test(msg)) return { values: [], reason: noObjects() ?? noValues(`the backend has no value for "${ctx.metric}": ${msg}`) };
    if (/\b(stale|old|max ?age)\b/i.test(msg)) {
      return { values: [], reason: { code: 'stale', message: `the backend refused a stale value: ${msg}`, fix: 'the backend cannot refresh this metric: check its connectivity and rate limits (the debug page shows its last error), or raise its max age' } };
    }
    if (/\brejected this metric's query\b/i.test(msg)) {
      return {
        values: [],
        reason: {
          code: 'backend-error',
          message: `${ctx.groupVersion} answered ${answer.status}: ${msg}`,
          fix: 'the backend rejects the query the rule builds: fix the rule\'s query or the metric selector as the message says (the backend retries it alone meanwhile)',
        },
      };
    }
    return {
      values: [],
      reason: {
        code: 'backend-error',
        message: `${ctx.groupVersion} answered ${answer.status}: ${msg}`,
        fix: 'a backend failed: the server log and the debug page (/debug/backends) name the backend and its error; check that the backend is reachable and its credentials are valid',
      },
    };
  }
  const values = metricItems(answer.body);
  if (values.length === 0) {
    return { values, reason: notListed() ?? noObjects() ?? noValues(`the server answered an empty list for "${ctx.metric}"`) };
  }
  const now = ctx.now.getTime();
  const stale = values.filter((v) => v.timestamp !== undefined && now - Date.parse(v.timestamp) > ctx.maxAgeMs);
  if (stale.length > 0) {
    const oldest = Math.max(...stale.map((v) => now - Date.parse(v.timestamp!)));
    return {
      values,
      reason: {
        code: 'stale',
        message: `${stale.length} of ${values.length} values are older than the max age ${Math.round(ctx.maxAgeMs / 1000)}s (oldest: ${Math.round(oldest / 1000)}s, ${stale[0].object})`,
        fix: 'the backend serves old data: check that its source still receives samples (scrape targets, exporters) and that its clock is right; --max-age sets what explain calls stale',
      },
    };
  }
  return { values };
}
