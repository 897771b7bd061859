// Text rendering of explanations (the JSON output is the explanation objects themselves). Pure.
import type { HpaExplanation } from './engine.js';

const MAX_VALUES = 10;

/** renderText writes explanations as `explain` prints them. */
export function renderText(explanations: readonly HpaExplanation[]): string {
  const out: string[] = [];
  for (const e of explanations) {
    const t = e.scaleTarget;
    out.push(
      `HPA ${e.namespace}/${e.name} -> ${t.ref}` +
        (t.selector !== undefined ? ` (selector "${t.selector}", ${t.replicas ?? 0} replicas)` : '') +
        `; minReplicas ${e.minReplicas}, maxReplicas ${e.maxReplicas}`,
    );
    if (t.reason) {
      out.push(`  scale target: <unknown> [${t.reason.code}] ${t.reason.message}`, `    fix: ${t.reason.fix}`, `    see docs/troubleshooting.md#${t.reason.code}`);
    }
    for (const m of e.metrics) {
      out.push(`  ${m.metric}: target ${m.target}`);
      for (const r of m.requests) out.push(`    ${r}`);
      if (m.values.length > 0) {
        const shown = m.values.slice(0, MAX_VALUES).map((v) => `${v.object}=${v.value}`);
        out.push(`    values: ${shown.join(', ')}${m.values.length > MAX_VALUES ? ` (+${m.values.length - MAX_VALUES} more)` : ''}`);
      }
      if (m.reason) {
        if (!t.reason || m.reason !== t.reason) {
          out.push(`    <unknown> [${m.reason.code}] ${m.reason.message}`, `    fix: ${m.reason.fix}`, `    see docs/troubleshooting.md#${m.reason.code}`);
        } else {
          out.push('    <unknown> (scale target unresolved)');
        }
      } else if (m.proposal) {
        out.push(
          `    current ${m.current}, usage ratio ${m.proposal.usageRatio.toFixed(3)}` +
            (m.proposal.withinTolerance ? ` (within tolerance) -> ${m.proposal.replicas} replicas` : ` -> ${m.proposal.replicas} replicas`),
        );
      }
      for (const n of m.notes) out.push(`    note: ${n}`);
    }
    out.push(`  desired replicas: ${e.decision.desired} (${e.decision.note})`, `  ${e.ok ? 'OK: every metric resolves' : 'UNKNOWN: kubectl get hpa shows <unknown> for the metrics above'}`, '');
  }
  return out.join('\n');
}
