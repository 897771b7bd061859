/** custom.metrics.k8s.io v1beta1 / v1beta2 `MetricValueList` documents (contract §2.2). */
import type { LabelSelector, MetricValue, ObjectReference } from '../model.js';
import { formatQuantity } from '../quantity-format.js';
import { CUSTOM_METRICS_GROUP, type CustomMetricsVersion } from './groups.js';
import { encodeCompact, encodeJSON, encodeNumber, goMap, plainString, quoteString } from './json.js';
import { formatKubeTime } from './time.js';

/** core/v1 ObjectReference on the wire (keys in Go order, all omitempty). */
export interface WireObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
}

/** metav1.LabelSelector on the wire. */
export interface WireLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** One v1beta1 MetricValue. */
export interface WireMetricValueV1beta1 {
  describedObject: WireObjectReference;
  metricName: string;
  timestamp: string;
  window?: number;
  value: string;
  selector: WireLabelSelector | null;
}

/** One v1beta2 MetricValue. */
export interface WireMetricValueV1beta2 {
  describedObject: WireObjectReference;
  metric: { name: string; selector: WireLabelSelector | null };
  timestamp: string;
  windowSeconds?: number;
  value: string;
}

/** A MetricValueList of either version. */
export interface WireMetricValueList {
  kind: 'MetricValueList';
  apiVersion: string;
  metadata: Record<string, never>;
  items: Array<WireMetricValueV1beta1 | WireMetricValueV1beta2>;
}

/** Go `omitempty` for strings. */
const nonEmpty = (s: string | undefined): string | undefined => (s ? s : undefined);

/** ObjectReference with keys in Go order and empty strings omitted. */
export function renderObjectReference(ref: ObjectReference): WireObjectReference {
  return {
    kind: nonEmpty(ref.kind),
    namespace: nonEmpty(ref.namespace),
    name: nonEmpty(ref.name),
    uid: nonEmpty(ref.uid),
    apiVersion: nonEmpty(ref.apiVersion),
  };
}

/** metav1.LabelSelector: `matchLabels` (sorted) and `matchExpressions`, both omitted when empty. */
export function renderLabelSelector(sel: LabelSelector | null): WireLabelSelector | null {
  if (sel === null || sel === undefined) return null;
  const labels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  return {
    matchLabels: Object.keys(labels).length > 0 ? goMap(labels) : undefined,
    matchExpressions:
      exprs.length > 0
        ? exprs.map((e) => ({ key: e.key, operator: e.operator, values: e.values && e.values.length > 0 ? [...e.values] : undefined }))
        : undefined,
  };
}

/** `*int64` seconds: a whole number, omitted when absent. */
export function renderWindow(seconds: number | undefined): number | undefined {
  if (seconds === undefined || seconds === null) return undefined;
  if (!Number.isFinite(seconds)) throw new RangeError(`window ${String(seconds)} is not finite`);
  return Math.round(seconds);
}

function itemV1beta1(v: MetricValue): WireMetricValueV1beta1 {
  return {
    describedObject: renderObjectReference(v.describedObject),
    metricName: v.metric.name,
    timestamp: formatKubeTime(v.timestamp),
    window: renderWindow(v.windowSeconds),
    value: formatQuantity(v.value),
    selector: renderLabelSelector(v.metric.selector),
  };
}

function itemV1beta2(v: MetricValue): WireMetricValueV1beta2 {
  return {
    describedObject: renderObjectReference(v.describedObject),
    metric: { name: v.metric.name, selector: renderLabelSelector(v.metric.selector) },
    timestamp: formatKubeTime(v.timestamp),
    windowSeconds: renderWindow(v.windowSeconds),
    value: formatQuantity(v.value),
  };
}

/**
 * A `MetricValueList` for `custom.metrics.k8s.io/<version>`, items in the given order with no
 * kind/apiVersion, `"items":[]` when empty. v1beta1 writes `metricName`, `window` and a top-level
 * `selector`; v1beta2 `metric: {name, selector}` and `windowSeconds`.
 *
 * @throws RangeError when a value is not finite (providers must drop such samples).
 */
export function renderMetricValueList(version: CustomMetricsVersion, items: readonly MetricValue[]): WireMetricValueList {
  const render: (v: MetricValue) => WireMetricValueV1beta1 | WireMetricValueV1beta2 =
    version === 'v1beta1' ? itemV1beta1 : itemV1beta2;
  return {
    kind: 'MetricValueList',
    apiVersion: `${CUSTOM_METRICS_GROUP}/${version}`,
    metadata: {},
    items: items.map(render),
  };
}

/**
 * The bytes of `encodeJSON(renderMetricValueList(version, items))`, written directly: no wire
 * objects are built, and what the items of one answer share (the metric name and selector, the
 * timestamp, the kind/namespace and apiVersion of the described objects) is encoded once per run of
 * equal values. Same ordering of checks and same errors as {@link renderMetricValueList}.
 *
 * @throws RangeError when a value or window is not finite, or a timestamp is invalid.
 */
export function encodeMetricValueList(version: CustomMetricsVersion, items: readonly MetricValue[]): string {
  // Fields of another type than the model's (a plugin's mistake) are written as the generic encoder writes them.
  for (let i = 0; i < items.length; i++) if (!isPlain(items[i])) return encodeJSON(renderMetricValueList(version, items));
  const v1 = version === 'v1beta1';
  let out = `{"kind":"MetricValueList","apiVersion":${quoteString(`${CUSTOM_METRICS_GROUP}/${version}`)},"metadata":{},"items":[`;
  // Per answer: the last value of each shared part and its encoding (compared by identity / value).
  let refKind: string | undefined;
  let refNamespace: string | undefined;
  let refHead: string | undefined;
  let refApiVersion: string | undefined;
  let refTail = '';
  let selObject: LabelSelector | null | undefined;
  let selText = '';
  let hasSel = false;
  let metricName: string | undefined;
  let nameText = '';
  let metricText = '';
  let metricSel = '';
  let tsText: string | undefined;
  let tsQuoted = '';
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    const ref = v.describedObject;
    // renderObjectReference: kind, namespace, name, uid, apiVersion, each omitted when empty.
    let refText = frozenRefTexts.get(ref);
    if (refText === undefined) {
      const kind = ref.kind;
      const namespace = ref.namespace;
      if (kind !== refKind || namespace !== refNamespace || refHead === undefined) {
        refKind = kind;
        refNamespace = namespace;
        refHead = kind ? `"kind":${quoteString(kind)}` : '';
        if (namespace) refHead += `${refHead === '' ? '' : ','}"namespace":${quoteString(namespace)}`;
      }
      refText = refHead;
      if (ref.name) refText += `${refText === '' ? '' : ','}"name":${quoteString(ref.name)}`;
      if (ref.uid) refText += `${refText === '' ? '' : ','}"uid":${quoteString(ref.uid)}`;
      const apiVersion = ref.apiVersion;
      if (apiVersion) {
        if (apiVersion !== refApiVersion) {
          refApiVersion = apiVersion;
          refTail = `"apiVersion":${quoteString(apiVersion)}`;
        }
        refText += `${refText === '' ? '' : ','}${refTail}`;
      }
      if (Object.isFrozen(ref)) frozenRefTexts.set(ref, refText);
    }
    const name = v.metric.name;
    const sel = v.metric.selector;
    if (!hasSel || sel !== selObject) {
      hasSel = true;
      selObject = sel;
      selText = encodeCompact(renderLabelSelector(sel));
      metricName = undefined;
    }
    // renderLabelSelector runs before formatKubeTime for v1beta2 and after formatQuantity for
    // v1beta1; neither throws, so the order of the errors is the same.
    const ts = formatKubeTime(v.timestamp);
    if (ts !== tsText) {
      tsText = ts;
      // RFC 3339 digits, `-`, `:`, `T`, `Z`: nothing to escape.
      tsQuoted = `"${ts}"`;
    }
    const window = renderWindow(v.windowSeconds);
    // Quantity text is digits, `-`, `.`, `e` and a suffix letter: nothing to escape.
    const value = `"${formatQuantity(v.value)}"`;
    if (name !== metricName) {
      metricName = name;
      nameText = quoteString(name);
      metricText = `"metric":{"name":${nameText},"selector":${selText}}`;
      metricSel = `"selector":${selText}`;
    }
    if (i > 0) out += ',';
    if (v1) {
      out += `{"describedObject":{${refText}},"metricName":${nameText},"timestamp":${tsQuoted}`;
      if (window !== undefined) out += `,"window":${encodeNumber(window)}`;
      out += `,"value":${value},${metricSel}}`;
    } else {
      out += `{"describedObject":{${refText}},${metricText},"timestamp":${tsQuoted}`;
      if (window !== undefined) out += `,"windowSeconds":${encodeNumber(window)}`;
      out += `,"value":${value}}`;
    }
  }
  return `${out}]}\n`;
}

/**
 * The encoded fields of each frozen ObjectReference met (a provider sharing its described objects
 * across answers, e.g. the memory backend's): a frozen object never changes, so its text holds
 * for as long as the object lives.
 */
const frozenRefTexts = new WeakMap<ObjectReference, string>();

/** Whether the item's strings are strings (or empty), as {@link encodeMetricValueList} writes them. */
function isPlain(v: MetricValue): boolean {
  const ref = v.describedObject as unknown as Record<string, unknown> | null | undefined;
  if (ref === null || typeof ref !== 'object') return false;
  return plainString(ref.kind) && plainString(ref.namespace) && plainString(ref.name) && plainString(ref.uid) && plainString(ref.apiVersion) && typeof v.metric?.name === 'string';
}
