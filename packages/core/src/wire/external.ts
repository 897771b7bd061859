/** external.metrics.k8s.io v1beta1 `ExternalMetricValueList` documents (contract §2.3). */
import type { ExternalMetricValue } from '../model.js';
import { formatQuantity } from '../quantity-format.js';
import { renderWindow } from './custom.js';
import { EXTERNAL_METRICS_GROUP, V1BETA1 } from './groups.js';
import { goMap } from './json.js';
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
