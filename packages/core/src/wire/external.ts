/** external.metrics.k8s.io v1beta1 `ExternalMetricValueList` documents (contract §2.3). */
import type { ExternalMetricValue } from '../model.js';
import { formatQuantity } from '../quantity-format.js';
import { renderWindow } from './custom.js';
import { EXTERNAL_METRICS_GROUP, V1BETA1 } from './groups.js';
import { encodeGoMap, encodeJSON, encodeNumber, goMap, quoteString } from './json.js';
import { formatKubeTime } from './time.js';

/** One ExternalMetricValue on the wire. */
export interface WireExternalMetricValue {
  metricName: string;
  metricLabels: Record<string, string> | null;
  timestamp: string;
  window?: number;
  value: string;
}

/** An ExternalMetricValueList. */
export interface WireExternalMetricValueList {
  kind: 'ExternalMetricValueList';
  apiVersion: string;
  metadata: Record<string, never>;
  items: WireExternalMetricValue[];
}

/**
 * An `ExternalMetricValueList` (items without kind; `metricLabels` sorted, `null` when the model
 * has `null`; `"items":[]` when empty).
 *
 * @throws RangeError when a value is not finite.
 */
export function renderExternalMetricValueList(items: readonly ExternalMetricValue[]): WireExternalMetricValueList {
  return {
    kind: 'ExternalMetricValueList',
    apiVersion: `${EXTERNAL_METRICS_GROUP}/${V1BETA1}`,
    metadata: {},
    items: items.map((v) => ({
      metricName: v.metricName,
      metricLabels: v.metricLabels === null || v.metricLabels === undefined ? null : goMap(v.metricLabels),
      timestamp: formatKubeTime(v.timestamp),
      window: renderWindow(v.windowSeconds),
      value: formatQuantity(v.value),
    })),
  };
}

/**
 * The bytes of `encodeJSON(renderExternalMetricValueList(items))`, written directly: no wire
 * objects, the metric name and timestamp encoded once per run of equal values. Same ordering of
 * checks and same errors as {@link renderExternalMetricValueList}.
 *
 * @throws RangeError when a value or window is not finite, or a timestamp is invalid.
 */
export function encodeExternalMetricValueList(items: readonly ExternalMetricValue[]): string {
  // A name that is not a string (a plugin's mistake) is written as the generic encoder writes it.
  for (let i = 0; i < items.length; i++) if (typeof items[i].metricName !== 'string') return encodeJSON(renderExternalMetricValueList(items));
  let out = `{"kind":"ExternalMetricValueList","apiVersion":"${EXTERNAL_METRICS_GROUP}/${V1BETA1}","metadata":{},"items":[`;
  let name: string | undefined;
  let nameText = '';
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    const labels = v.metricLabels === null || v.metricLabels === undefined ? 'null' : encodeGoMap(v.metricLabels);
    const time = formatKubeTime(v.timestamp);
    const window = renderWindow(v.windowSeconds);
    const value = formatQuantity(v.value);
    if (i === 0 || v.metricName !== name) {
      name = v.metricName;
      nameText = quoteString(name);
    }
    // RFC 3339 and quantity text need no escaping.
    out += `${i === 0 ? '' : ','}{"metricName":${nameText},"metricLabels":${labels},"timestamp":"${time}"`;
    if (window !== undefined) out += `,"window":${encodeNumber(window)}`;
    out += `,"value":"${value}"}`;
  }
  return `${out}]}\n`;
}
