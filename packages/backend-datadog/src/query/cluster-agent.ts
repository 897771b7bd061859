/**
 * The Datadog Cluster Agent's naming convention for external metrics, as an opt-in fallback.
 *
 * The Cluster Agent answers an HPA `External` metric without any rule: the metric name is the
 * Datadog metric name and each `matchLabels` entry becomes a `key:value` tag, giving
 * `<aggregator>:<metric>{k1:v1,k2:v2}.rollup(<seconds>)` with tags sorted, or `{*}` without labels
 * (datadog-agent, `getKey` in the autoscalers processor). The HPA lower-cases external metric
 * names (contract §3.2) and Datadog metric names are case-sensitive, so only lower-case Datadog
 * metrics are reachable this way; write a rule for any other.
 */
import type { Requirement } from '@custom-metrics/core';
import { isValidMetricName, selectorTerms } from './build.js';
import type { Aggregator, QuerySpec } from './build.js';

/** Settings of the convention (config `clusterAgentConvention`). */
export interface ClusterAgentConvention {
  readonly aggregator: Aggregator;
  /** `.rollup(<seconds>)`; 0 leaves the rollup to Datadog. */
  readonly rollupSeconds: number;
}

/**
 * clusterAgentMetric maps an external metric name from the URL to a Datadog metric name, or
 * `undefined` when the name cannot be a Datadog metric (then the metric is not found).
 */
export function clusterAgentMetric(externalName: string): string | undefined {
  return isValidMetricName(externalName) ? externalName : undefined;
}

/** clusterAgentSpec builds the query spec for `metric` with the HPA's selector as tags. */
export function clusterAgentSpec(metric: string, selector: readonly Requirement[], conv: ClusterAgentConvention): QuerySpec {
  return {
    shape: {
      kind: 'metric',
      metric,
      aggregator: conv.aggregator,
      ...(conv.rollupSeconds > 0 ? { rollup: { seconds: conv.rollupSeconds } } : {}),
    },
    staticTerms: [],
    requestTerms: selectorTerms(selector),
    groupBy: [],
  };
}
