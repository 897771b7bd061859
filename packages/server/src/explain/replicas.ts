// The horizontal pod autoscaler's replica arithmetic, as kubernetes'
// pkg/controller/podautoscaler/replica_calculator.go and horizontal.go compute it. Pure: no I/O.
// Values are milli-units (`Quantity.MilliValue()`), as the controller's int64 arithmetic uses.

/** The controller's default `--horizontal-pod-autoscaler-tolerance`. */
export const DEFAULT_TOLERANCE = 0.1;

/** A replica proposal of one metric. */
export interface Proposal {
  /** Replicas this metric asks for. */
  readonly replicas: number;
  /** usage / target (1 = on target). */
  readonly usageRatio: number;
  /** The current value in milli-units as the HPA status shows it (average, total or utilization %). */
  readonly current: number;
  /** Whether the ratio was inside the tolerance (no change proposed). */
  readonly withinTolerance: boolean;
}

const within = (ratio: number, tolerance: number) => Math.abs(1 - ratio) <= tolerance;

/**
 * usageRatioReplicas is `getUsageRatioReplicaCount`: with current replicas, the current count
 * inside the tolerance, else `ceil(ratio × readyPods)`; with none, `ceil(ratio)`.
 */
export function usageRatioReplicas(currentReplicas: number, usageRatio: number, readyPods: number, tolerance = DEFAULT_TOLERANCE): { replicas: number; withinTolerance: boolean } {
  if (currentReplicas === 0) return { replicas: Math.ceil(usageRatio), withinTolerance: false };
  if (within(usageRatio, tolerance)) return { replicas: currentReplicas, withinTolerance: true };
  return { replicas: Math.ceil(usageRatio * readyPods), withinTolerance: false };
}

/**
 * averageValueReplicas is `GetMetricReplicas` (Pods metrics, and Resource metrics with an
 * AverageValue target): the average of the per-pod values against the target; the proposal is
 * `ceil(ratio × pods with a value)` outside the tolerance.
 */
export function averageValueReplicas(currentReplicas: number, valuesMilli: readonly number[], targetMilli: number, tolerance = DEFAULT_TOLERANCE): Proposal {
  const average = valuesMilli.reduce((a, b) => a + b, 0) / valuesMilli.length;
  const usageRatio = average / targetMilli;
  if (within(usageRatio, tolerance)) return { replicas: currentReplicas, usageRatio, current: Math.trunc(average), withinTolerance: true };
  return { replicas: Math.ceil(usageRatio * valuesMilli.length), usageRatio, current: Math.trunc(average), withinTolerance: false };
}

/**
 * utilizationReplicas is `GetResourceReplicas` with a Utilization target: utilization =
 * `int(Σusage × 100 / Σrequests)` over the pods with a value, ratio = utilization / target.
 */
export function utilizationReplicas(currentReplicas: number, usageMilli: readonly number[], requestsMilli: readonly number[], targetPercent: number, tolerance = DEFAULT_TOLERANCE): Proposal {
  const usage = usageMilli.reduce((a, b) => a + b, 0);
  const requests = requestsMilli.reduce((a, b) => a + b, 0);
  const utilization = Math.trunc((usage * 100) / requests);
  const usageRatio = utilization / targetPercent;
  if (within(usageRatio, tolerance)) return { replicas: currentReplicas, usageRatio, current: utilization, withinTolerance: true };
  return { replicas: Math.ceil(usageRatio * usageMilli.length), usageRatio, current: utilization, withinTolerance: false };
}

/**
 * totalValueReplicas is `GetObjectMetricReplicas` / `GetExternalMetricReplicas` with a Value
 * target: ratio = total / target, proposal `ceil(ratio × ready pods)`.
 */
export function totalValueReplicas(currentReplicas: number, totalMilli: number, targetMilli: number, readyPods: number, tolerance = DEFAULT_TOLERANCE): Proposal {
  const usageRatio = totalMilli / targetMilli;
  const r = usageRatioReplicas(currentReplicas, usageRatio, readyPods, tolerance);
  return { ...r, usageRatio, current: totalMilli };
}

/**
 * perPodValueReplicas is `GetObjectPerPodMetricReplicas` / `GetExternalPerPodMetricReplicas`
 * (AverageValue target on an Object or External metric): ratio = total / (target × current
 * replicas), proposal `ceil(total / target)`; the status shows `ceil(total / current replicas)`.
 */
export function perPodValueReplicas(currentReplicas: number, totalMilli: number, targetMilli: number, tolerance = DEFAULT_TOLERANCE): Proposal {
  const usageRatio = totalMilli / (targetMilli * currentReplicas);
  const current = Math.ceil(totalMilli / currentReplicas);
  if (within(usageRatio, tolerance)) return { replicas: currentReplicas, usageRatio, current, withinTolerance: true };
  return { replicas: Math.ceil(totalMilli / targetMilli), usageRatio, current, withinTolerance: false };
}

/** The controller's decision over every metric of one HPA. */
export interface Decision {
  /** The replica count the controller would set (unchanged when it would not act). */
  readonly desired: number;
  /** Largest proposal over the metrics that resolved, before min/max. */
  readonly proposed?: number;
  /** Why the result is what it is, in one sentence. */
  readonly note: string;
  /** Whether the HPA shows `<unknown>` for some metric. */
  readonly unknown: boolean;
}

/**
 * decideReplicas is `computeReplicasForMetrics` + `normalizeDesiredReplicas` without the
 * behavior's rate limits and stabilization window: the largest proposal wins; with every metric
 * failing the controller does not act; with some failing it does not scale down; the result is
 * clamped to [minReplicas, maxReplicas]; a target at 0 replicas (minReplicas > 0) is left alone.
 */
export function decideReplicas(current: number, minReplicas: number, maxReplicas: number, proposals: ReadonlyArray<number | undefined>): Decision {
  const unknown = proposals.some((p) => p === undefined);
  if (current === 0 && minReplicas !== 0) return { desired: 0, note: 'the scale target has 0 replicas: autoscaling is disabled until it is scaled up', unknown };
  const ok = proposals.filter((p): p is number => p !== undefined);
  if (ok.length === 0) return { desired: current, note: 'no metric resolved: the controller cannot compute a replica count and leaves it unchanged', unknown };
  const proposed = Math.max(...ok);
  if (unknown && proposed < current) {
    return { desired: current, proposed, note: `some metrics did not resolve: the controller does not scale down (the resolved metrics alone ask for ${proposed})`, unknown };
  }
  const desired = Math.min(maxReplicas, Math.max(minReplicas, proposed));
  const note =
    desired > proposed ? `${proposed} raised to minReplicas ${minReplicas}` : desired < proposed ? `${proposed} capped at maxReplicas ${maxReplicas}` : desired === current ? 'no change' : `scale from ${current} to ${desired}`;
  return { desired, proposed, note, unknown };
}
