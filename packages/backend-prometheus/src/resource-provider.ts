import { Selector } from '@custom-metrics/core';
import type { GroupResource, KubeObject, NodeMetrics, PodMetrics, ResourceMetricsProvider } from '@custom-metrics/core';
import type { ResourceRuleConfig, ResourceRulesConfig } from './config.js';
import { batchNames, MetricsQuery } from './naming/metrics-query.js';
import { ResourceConverter } from './naming/resource-converter.js';
import { mapLimit, type PrometheusBackend } from './provider.js';
import type { Sample } from './client.js';

const PODS: GroupResource = { group: '', resource: 'pods' };
const NODES: GroupResource = { group: '', resource: 'nodes' };

interface CompiledResourceRule {
  container: MetricsQuery;
  node: MetricsQuery;
  containerLabel: string;
}

function compileRule(rule: ResourceRuleConfig, path: string): CompiledResourceRule {
  const conv = new ResourceConverter(rule.resources, `${path}.resources`);
  return {
    container: new MetricsQuery(rule.containerQuery, conv, `${path}.containerQuery`),
    node: new MetricsQuery(rule.nodeQuery, conv, `${path}.nodeQuery`),
    containerLabel: rule.containerLabel,
  };
}

/**
 * PrometheusResourceProvider serves metrics.k8s.io from `resourceRules`: per-container CPU
 * (cores) and memory (bytes) of pods, queried per namespace with the pods' names batched, and of
 * nodes. A container is reported only when both CPU and memory have a value; `window` is the
 * rules' `window`.
 */
export class PrometheusResourceProvider implements ResourceMetricsProvider {
  readonly #cpu: CompiledResourceRule;
  readonly #memory: CompiledResourceRule;

  constructor(
    private readonly backend: PrometheusBackend,
    rules: ResourceRulesConfig,
  ) {
    this.#cpu = compileRule(rules.cpu, 'resourceRules.cpu');
    this.#memory = compileRule(rules.memory, 'resourceRules.memory');
  }

  async getPodMetrics(req: { pods: KubeObject[]; signal: AbortSignal }): Promise<Array<PodMetrics | undefined>> {
    const byNs = new Map<string, string[]>();
    for (const p of req.pods) {
      const ns = p.namespace ?? '';
      const l = byNs.get(ns) ?? [];
      l.push(p.name);
      byNs.set(ns, l);
    }
    const cpu = new Map<string, Map<string, Sample>>();
    const mem = new Map<string, Map<string, Sample>>();
    const jobs: Array<{ ns: string; names: string[]; rule: CompiledResourceRule; into: Map<string, Map<string, Sample>> }> = [];
    for (const [ns, names] of byNs) {
      for (const batch of batchNames([...new Set(names)], this.backend.config.maxRegexBytes)) {
        jobs.push({ ns, names: batch, rule: this.#cpu, into: cpu }, { ns, names: batch, rule: this.#memory, into: mem });
      }
    }
    await mapLimit(jobs, this.backend.config.maxConcurrency, async (j) => {
      const podLabel = j.rule.container.resourceLabel(PODS) as string;
      const promql = j.rule.container.build({
        series: '',
        resource: PODS,
        namespace: j.ns,
        names: j.names,
        metricSelector: Selector.everything(),
        extraGroupBy: [j.rule.containerLabel],
      });
      for (const s of await this.backend.query(promql, req.signal)) {
        const pod = s.labels[podLabel];
        const container = s.labels[j.rule.containerLabel];
        if (pod === undefined || container === undefined) continue;
        const key = `${j.ns}/${pod}`;
        const m = j.into.get(key) ?? new Map<string, Sample>();
        m.set(container, s);
        j.into.set(key, m);
      }
    });
    const windowSeconds = this.backend.config.resourceWindowMs / 1000;
    return req.pods.map((p) => {
      const key = `${p.namespace ?? ''}/${p.name}`;
      const c = cpu.get(key);
      const m = mem.get(key);
      if (c === undefined || m === undefined) return undefined;
      const containers: PodMetrics['containers'] = [];
      let earliest = Number.POSITIVE_INFINITY;
      for (const [name, cs] of [...c].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const ms = m.get(name);
        if (ms === undefined) continue;
        containers.push({ name, usage: { cpu: cs.value, memory: ms.value } });
        earliest = Math.min(earliest, cs.timestampMs, ms.timestampMs);
      }
      if (containers.length === 0) return undefined;
      return {
        metadata: { name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}), labels: { ...p.labels }, creationTimestamp: new Date() },
        timestamp: new Date(earliest),
        windowSeconds,
        containers,
      };
    });
  }

  async getNodeMetrics(req: { nodes: KubeObject[]; signal: AbortSignal }): Promise<Array<NodeMetrics | undefined>> {
    const names = [...new Set(req.nodes.map((n) => n.name))];
    const batches = batchNames(names, this.backend.config.maxRegexBytes);
    const cpu = new Map<string, Sample>();
    const mem = new Map<string, Sample>();
    const jobs = batches.flatMap((b) => [
      { names: b, rule: this.#cpu, into: cpu },
      { names: b, rule: this.#memory, into: mem },
    ]);
    await mapLimit(jobs, this.backend.config.maxConcurrency, async (j) => {
      const nodeLabel = j.rule.node.resourceLabel(NODES) as string;
      const promql = j.rule.node.build({ series: '', resource: NODES, namespace: '', names: j.names, metricSelector: Selector.everything() });
      for (const s of await this.backend.query(promql, req.signal)) {
        const node = s.labels[nodeLabel];
        if (node !== undefined) j.into.set(node, s);
      }
    });
    const windowSeconds = this.backend.config.resourceWindowMs / 1000;
    return req.nodes.map((n) => {
      const c = cpu.get(n.name);
      const m = mem.get(n.name);
      if (c === undefined || m === undefined) return undefined;
      return {
        metadata: { name: n.name, labels: { ...n.labels }, creationTimestamp: new Date() },
        timestamp: new Date(Math.min(c.timestampMs, m.timestampMs)),
        windowSeconds,
        usage: { cpu: c.value, memory: m.value },
      };
    });
  }
}
