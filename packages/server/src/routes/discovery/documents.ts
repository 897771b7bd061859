import {
  CUSTOM_METRICS_GROUP,
  EXTERNAL_METRICS_GROUP,
  RESOURCE_METRICS_GROUP,
  renderAPIGroup,
  renderAPIGroupList,
  renderAggregatedDiscovery,
  customMetricsResourceList,
  externalMetricsResourceList,
  resourceMetricsResourceList,
} from '@custom-metrics/core';
import type { BackendRegistry } from '../../backends/registry.js';

/** The versions each group advertises in legacy discovery (custom: v1beta1 only, as custom-metrics-apiserver). */
const ADVERTISED: Readonly<Record<string, readonly string[]>> = {
  [CUSTOM_METRICS_GROUP]: ['v1beta1'],
  [EXTERNAL_METRICS_GROUP]: ['v1beta1'],
  [RESOURCE_METRICS_GROUP]: ['v1beta1'],
};

/** The groups served: custom and external always, metrics.k8s.io when a backend offers resource metrics. */
export function servedGroups(registry: BackendRegistry): string[] {
  const groups = [CUSTOM_METRICS_GROUP, EXTERNAL_METRICS_GROUP];
  if (registry.resourceProvider()) groups.push(RESOURCE_METRICS_GROUP);
  return groups;
}

/** The APIGroup document of `/apis/<group>`. */
export function apiGroupDocument(group: string): unknown {
  return renderAPIGroup({ name: group, versions: [...ADVERTISED[group]] });
}

/** The APIGroupList document of `/apis`. */
export function apiGroupListDocument(groups: readonly string[]): unknown {
  return renderAPIGroupList(groups.map((name) => ({ name, versions: [...ADVERTISED[name]] })));
}

/** The aggregated discovery v2 document (`APIGroupDiscoveryList`) with the real metric lists. */
export function aggregatedDiscoveryDocument(registry: BackendRegistry, groups: readonly string[]): unknown {
  const custom = registry.customMetrics();
  const lists = [
    [customMetricsResourceList('v1beta2', custom), customMetricsResourceList('v1beta1', custom)],
    [externalMetricsResourceList(registry.externalMetrics())],
  ];
  if (groups.includes(RESOURCE_METRICS_GROUP)) lists.push([resourceMetricsResourceList()]);
  return renderAggregatedDiscovery(lists);
}
