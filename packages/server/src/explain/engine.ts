// The explain engine: reads what the HPA controller reads (scale target, metrics APIs) through
// two API clients and explains each metric. The arithmetic is in replicas.ts, the reasons in
// classify.ts; this file only sequences the requests.
import { labelSelectorToSelector, parseQuantity, type LabelSelector } from '@custom-metrics/core';
import { classifyAnswer, type ApiAnswer, type MetricItemValue } from './classify.js';
import type { Hpa, LabelSelectorJSON, MetricSpec, MetricTarget, ObjectRef } from './hpa.js';
import type { Reason } from './reasons.js';
import { averageValueReplicas, decideReplicas, DEFAULT_TOLERANCE, perPodValueReplicas, totalValueReplicas, utilizationReplicas, type Decision, type Proposal } from './replicas.js';

/** A GET/POST JSON client (kube-apiserver, or the metrics server directly). Throws on transport failure. */
export interface ApiClient {
  get(path: string): Promise<ApiAnswer>;
  post(path: string, body: unknown): Promise<ApiAnswer>;
}

/** The identity the HPA controller uses (`--use-service-account-credentials`). */
export const HPA_CONTROLLER_USER = {
  user: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

/** What the engine talks to and how it judges. */
export interface ExplainDeps {
  /** The cluster: scale targets, pods, discovery of kinds, SubjectAccessReviews. */
  readonly cluster: ApiClient;
  /** The metrics APIs (the cluster through the aggregator, or the server directly). */
  readonly metrics: ApiClient;
  readonly now: () => Date;
  /** Values older than this are stale (default 5 minutes). */
  readonly maxAgeMs?: number;
  readonly tolerance?: number;
  /** Whose access to check with a SubjectAccessReview (default: the HPA controller's); `null` skips the check. */
  readonly hpaIdentity?: { user: string; groups: string[] } | null;
}

/** One metric of an HPA, explained. */
export interface MetricExplanation {
  /** `Pods http_requests`, `Resource cpu`, ... */
  readonly metric: string;
  /** The requests made, as the HPA controller makes them. */
  readonly requests: string[];
  readonly target: string;
  readonly values: MetricItemValue[];
  /** The current value as `kubectl get hpa` shows it. */
  readonly current?: string;
  readonly proposal?: Proposal;
  /** Set when the HPA shows `<unknown>` for this metric. */
  readonly reason?: Reason;
  /** Findings that do not make the metric unknown (e.g. access checks that could not run). */
  readonly notes: string[];
}

/** An HPA, explained. */
export interface HpaExplanation {
  readonly namespace: string;
  readonly name: string;
  readonly scaleTarget: { ref: string; selector?: string; replicas?: number; reason?: Reason };
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly metrics: MetricExplanation[];
  readonly decision: Decision;
  /** True when every metric resolved. */
  readonly ok: boolean;
}

const enc = encodeURIComponent;
const milli = (q: string) => Number(parseQuantity(q).milliValue());
const fromMilli = (m: number) => {
  const v = m / 1000;
  return Number.isInteger(v) ? String(v) : `${Math.round(m)}m`;
};
const targetText = (t: MetricTarget) => (t.type === 'Utilization' ? `${t.averageUtilization}% (Utilization)` : t.type === 'AverageValue' ? `${t.averageValue} (AverageValue)` : `${t.value} (Value)`);

interface ApiResourceList {
  resources?: Array<{ name: string; kind: string }>;
}

/**
 * Explainer explains HPAs; one instance caches discovery for a run. Never throws for what it
 * finds: every failure becomes a {@link Reason}.
 */
export class Explainer {
  readonly #deps: ExplainDeps;
  #groups?: Promise<Map<string, string[]> | Reason>;
  readonly #lists = new Map<string, Promise<string[] | undefined>>();
  readonly #kinds = new Map<string, Promise<ApiResourceList | undefined>>();

  constructor(deps: ExplainDeps) {
    this.#deps = deps;
  }

  /** Explains one HPA. */
  async explain(hpa: Hpa): Promise<HpaExplanation> {
    const target = await this.#scaleTarget(hpa.namespace, hpa.scaleTargetRef);
    const current = target.replicas ?? hpa.statusReplicas ?? 0;
    const metrics: MetricExplanation[] = [];
    for (const m of hpa.metrics) metrics.push(await this.#metric(hpa, m, target, current));
    const decision = decideReplicas(current, hpa.minReplicas, hpa.maxReplicas, metrics.map((m) => (m.reason ? undefined : m.proposal?.replicas)));
    return {
      namespace: hpa.namespace,
      name: hpa.name,
      scaleTarget: target,
      minReplicas: hpa.minReplicas,
      maxReplicas: hpa.maxReplicas,
      metrics,
      decision,
      ok: metrics.every((m) => !m.reason),
    };
  }

  // ---- discovery

  async #metricGroups(): Promise<Map<string, string[]> | Reason> {
    this.#groups ??= (async () => {
      try {
        const res = await this.#deps.metrics.get('/apis');
        const groups = (res.body as { groups?: Array<{ name: string; versions?: Array<{ version: string }>; preferredVersion?: { version: string } }> } | undefined)?.groups;
        if (res.status === 401 || res.status === 403) {
          const msg = (res.body as { message?: unknown } | undefined)?.message;
          return {
            code: 'forbidden' as const,
            message: `GET /apis answered ${res.status} to your credentials${typeof msg === 'string' ? `: ${msg}` : ''}`,
            fix: 'the identity in the (metrics) kubeconfig may not read discovery: use credentials allowed to, or grant it (system:discovery)',
          };
        }
        if (res.status !== 200 || !Array.isArray(groups)) {
          return { code: 'api-unavailable' as const, message: `GET /apis answered ${res.status}`, fix: 'check the kubeconfig points at a cluster (or at the metrics server) and that your credentials may read discovery' };
        }
        const out = new Map<string, string[]>();
        for (const g of groups) {
          const versions = (g.versions ?? []).map((v) => v.version);
          const preferred = g.preferredVersion?.version;
          out.set(g.name, preferred ? [preferred, ...versions.filter((v) => v !== preferred)] : versions);
        }
        return out;
      } catch (e) {
        return { code: 'api-unavailable' as const, message: `cannot reach the metrics APIs: ${(e as Error).message}`, fix: 'check the kubeconfig\'s server address and network access' };
      }
    })();
    return this.#groups;
  }

  /** The version the HPA controller would use for `group`, or the reason it is unavailable. */
  async #groupVersion(group: string, wanted: readonly string[]): Promise<string | Reason> {
    const groups = await this.#metricGroups();
    if (!(groups instanceof Map)) return groups;
    const versions = groups.get(group);
    const version = versions?.find((v) => wanted.includes(v));
    if (!version) {
      return {
        code: 'api-unavailable',
        message: versions
          ? `discovery lists ${group} with versions ${versions.join(', ')}, none of ${wanted.join(', ')}`
          : `${group} is not in discovery (no APIService registers it, or its APIService is not Available)`,
        fix: `check kubectl get apiservice ${wanted[0]}.${group}: it must exist (deploy/) and be Available=True; if it is False, its message says why the aggregator cannot reach the server (Service, endpoints, serving certificate)`,
      };
    }
    return version;
  }

  /** Metric names listed by a metrics group version, as `resource/metric` (custom) or `metric` (external). */
  #listed(groupVersion: string): Promise<string[] | undefined> {
    let p = this.#lists.get(groupVersion);
    if (!p) {
      p = this.#deps.metrics.get(`/apis/${groupVersion}`).then(
        (res) => (res.status === 200 ? ((res.body as ApiResourceList).resources ?? []).map((r) => r.name) : undefined),
        () => undefined,
      );
      this.#lists.set(groupVersion, p);
    }
    return p;
  }

  /** The cluster's resource for a kind (`deployments` in `apps/v1`), from discovery. */
  async #resourceFor(ref: ObjectRef): Promise<{ group: string; version: string; resource: string } | undefined> {
    const apiVersion = ref.apiVersion ?? 'v1';
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let p = this.#kinds.get(path);
    if (!p) {
      p = this.#deps.cluster.get(path).then(
        (res) => (res.status === 200 ? (res.body as ApiResourceList) : undefined),
        () => undefined,
      );
      this.#kinds.set(path, p);
    }
    const list = await p;
    const found = list?.resources?.find((r) => r.kind === ref.kind && !r.name.includes('/'));
    if (found) return { group, version, resource: found.name };
    return undefined;
  }

  // ---- scale target

  async #scaleTarget(namespace: string, ref: ObjectRef): Promise<HpaExplanation['scaleTarget']> {
    const refText = `${ref.kind}/${ref.name}`;
    const unresolved = (message: string): HpaExplanation['scaleTarget'] => ({
      ref: refText,
      reason: { code: 'target-unresolved', message, fix: 'fix spec.scaleTargetRef (apiVersion, kind, name) or create the target; the HPA controller reports FailedGetScale for it' },
    });
    const r = await this.#resourceFor(ref);
    if (!r) return unresolved(`the cluster does not serve kind ${ref.kind} in ${ref.apiVersion ?? 'v1'}`);
    const base = `${r.group ? `/apis/${r.group}` : '/api'}/${r.version}/namespaces/${enc(namespace)}/${r.resource}/${enc(ref.name)}`;
    try {
      const scale = await this.#deps.cluster.get(`${base}/scale`);
      const s = scale.body as { spec?: { replicas?: number }; status?: { selector?: string; replicas?: number } } | undefined;
      if (scale.status === 200 && typeof s?.status?.selector === 'string') {
        return { ref: refText, selector: s.status.selector, replicas: s.status.replicas ?? s.spec?.replicas ?? 0 };
      }
      // No scale subresource answer: read the object's spec.selector (what /scale reports for workloads).
      const obj = await this.#deps.cluster.get(base);
      if (obj.status === 404) return unresolved(`${refText} does not exist in namespace ${namespace}`);
      if (obj.status !== 200) return unresolved(`GET ${base} answered ${obj.status}: ${String((obj.body as { message?: string } | undefined)?.message ?? '')}`);
      const spec = (obj.body as { spec?: { selector?: LabelSelectorJSON; replicas?: number } }).spec;
      if (!spec?.selector) return unresolved(`${refText} has no spec.selector; the HPA needs a target with a label selector`);
      const selector = labelSelectorToSelector(spec.selector as LabelSelector).toString();
      return { ref: refText, selector, replicas: spec.replicas ?? 1 };
    } catch (e) {
      return unresolved(`cannot read ${refText}: ${(e as Error).message}`);
    }
  }

  /** Pods matching the scale target's selector (ready ones flagged), or undefined when they cannot be listed. */
  async #pods(namespace: string, selector: string): Promise<PodInfo[] | undefined> {
    try {
      const res = await this.#deps.cluster.get(`/api/v1/namespaces/${enc(namespace)}/pods?labelSelector=${enc(selector)}`);
      if (res.status !== 200) return undefined;
      return ((res.body as { items?: PodJSON[] }).items ?? []).map(podInfo);
    } catch {
      return undefined;
    }
  }

  // ---- metrics

  async #metric(hpa: Hpa, m: MetricSpec, target: HpaExplanation['scaleTarget'], current: number): Promise<MetricExplanation> {
    const label = metricLabel(m);
    const t = metricTarget(m);
    const base = { metric: label, target: targetText(t), notes: [] as string[] };
    if (target.reason || target.selector === undefined) return { ...base, requests: [], values: [], reason: target.reason };
    const selector = target.selector;
    const ns = hpa.namespace;
    if (m.type === 'Resource' || m.type === 'ContainerResource') return this.#resource(base, ns, selector, m, t, current);

    const metricSel = selectorText(m.type === 'Pods' ? m.pods.metric.selector : m.type === 'Object' ? m.object.metric.selector : m.external.metric.selector);
    if (metricSel instanceof Error) return { ...base, requests: [], values: [], reason: { code: 'bad-request', message: `the metric selector is invalid: ${metricSel.message}`, fix: 'fix the metric selector in the HPA' } };
    const external = m.type === 'External';
    const group = external ? 'external.metrics.k8s.io' : 'custom.metrics.k8s.io';
    const version = await this.#groupVersion(group, external ? ['v1beta1'] : ['v1beta2', 'v1beta1']);
    if (typeof version !== 'string') return { ...base, requests: [], values: [], reason: version };
    const gv = `${group}/${version}`;
    let path: string;
    let listedName: string;
    let selects: string;
    let selText: string;
    let matching: number | undefined;
    let pods: PodInfo[] | undefined;
    const name = m.type === 'Pods' ? m.pods.metric.name : m.type === 'Object' ? m.object.metric.name : m.external.metric.name;
    if (m.type === 'Pods') {
      path = `/apis/${gv}/namespaces/${enc(ns)}/pods/%2A/${enc(name)}?labelSelector=${enc(selector)}${metricSel ? `&metricLabelSelector=${enc(metricSel)}` : ''}`;
      listedName = `pods/${name}`;
      pods = await this.#pods(ns, selector);
      matching = pods?.length;
      selects = `pods of ${target.ref}`;
      selText = selector;
    } else if (m.type === 'Object') {
      const r = await this.#resourceFor(m.object.describedObject);
      const d = m.object.describedObject;
      if (!r) return { ...base, requests: [], values: [], reason: { code: 'target-unresolved', message: `the cluster does not serve kind ${d.kind} in ${d.apiVersion ?? 'v1'} (describedObject)`, fix: 'fix describedObject.apiVersion and kind' } };
      const gr = r.group ? `${r.resource}.${r.group}` : r.resource;
      // The namespace resource is addressed as /namespaces/NAME/metrics/METRIC.
      path = gr === 'namespaces'
        ? `/apis/${gv}/namespaces/${enc(d.name)}/metrics/${enc(name)}${metricSel ? `?metricLabelSelector=${enc(metricSel)}` : ''}`
        : `/apis/${gv}/namespaces/${enc(ns)}/${gr}/${enc(d.name)}/${enc(name)}${metricSel ? `?metricLabelSelector=${enc(metricSel)}` : ''}`;
      listedName = `${gr}/${name}`;
      selects = `${d.kind} ${d.name}`;
      selText = `${d.kind}/${d.name}`;
      if (m.object.target.type === 'Value') pods = await this.#pods(ns, selector);
    } else {
      path = `/apis/${gv}/namespaces/${enc(ns)}/${enc(name)}${metricSel ? `?labelSelector=${enc(metricSel)}` : ''}`;
      listedName = name;
      selects = 'series';
      selText = metricSel;
      if (m.external.target.type === 'Value') pods = await this.#pods(ns, selector);
    }
    const requests = [`GET ${path}`];
    let answer: ApiAnswer;
    try {
      answer = await this.#deps.metrics.get(path);
    } catch (e) {
      return { ...base, requests, values: [], reason: { code: 'api-unavailable', message: `GET ${path} failed: ${(e as Error).message}`, fix: 'check the metrics server is running and reachable' } };
    }
    const listed = await this.#listed(gv);
    const prefix = listedName.slice(0, listedName.length - name.length);
    const classified = classifyAnswer(answer, {
      groupVersion: gv,
      metric: listedName,
      listed,
      allListed: listed?.filter((n) => n.startsWith(prefix)),
      matchingObjects: m.type === 'Pods' ? matching : undefined,
      selectorText: selText,
      selects,
      now: this.#deps.now(),
      maxAgeMs: this.#deps.maxAgeMs ?? 5 * 60_000,
    });
    const notes: string[] = [];
    const access = await this.#hpaAccess(ns, group, version, m, name, notes);
    const out = { ...base, notes, requests: access ? [...requests, access.request] : requests, values: classified.values };
    if (classified.reason) return { ...out, reason: classified.reason };
    if (access?.reason) return { ...out, reason: access.reason };
    const tol = this.#deps.tolerance ?? DEFAULT_TOLERANCE;
    const vals = classified.values.map((v) => milli(v.value));
    const total = vals.reduce((a, b) => a + b, 0);
    const ready = pods?.filter((p) => p.ready).length ?? current;
    let proposal: Proposal;
    if (m.type === 'Pods') proposal = averageValueReplicas(current, vals, milli(t.averageValue ?? '0'), tol);
    else if (t.type === 'AverageValue') proposal = perPodValueReplicas(current, total, milli(t.averageValue!), tol);
    else proposal = totalValueReplicas(current, m.type === 'Object' ? vals[0] : total, milli(t.value ?? '0'), ready, tol);
    return { ...out, current: fromMilli(proposal.current), proposal };
  }

  /** Asks the cluster whether the HPA controller may read this metric (the check the server makes for it). */
  async #hpaAccess(ns: string, group: string, version: string, m: MetricSpec, name: string, notes: string[]): Promise<{ request: string; reason?: Reason } | undefined> {
    const who = this.#deps.hpaIdentity === undefined ? HPA_CONTROLLER_USER : this.#deps.hpaIdentity;
    if (who === null) return undefined;
    const attrs =
      m.type === 'External'
        ? { namespace: ns, verb: 'list', group, version, resource: name }
        : m.type === 'Pods'
          ? { namespace: ns, verb: 'get', group, version, resource: 'pods', subresource: name, name: '*' }
          : { namespace: ns, verb: 'get', group, version, resource: m.type === 'Object' ? (await this.#resourceFor(m.object.describedObject))?.resource ?? '' : '', subresource: name, name: m.type === 'Object' ? m.object.describedObject.name : '' };
    const request = `POST /apis/authorization.k8s.io/v1/subjectaccessreviews (${who.user}: ${attrs.verb} ${group} ${attrs.resource}${'subresource' in attrs ? `/${attrs.subresource}` : ''})`;
    try {
      const res = await this.#deps.cluster.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        kind: 'SubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        spec: { resourceAttributes: attrs, user: who.user, groups: who.groups },
      });
      const st = (res.body as { status?: { allowed?: boolean; reason?: string } } | undefined)?.status;
      if (res.status !== 201 && res.status !== 200) {
        notes.push(`could not check the HPA controller's access (SubjectAccessReview answered ${res.status}); your identity needs create on subjectaccessreviews for this check`);
        return { request };
      }
      if (st?.allowed) return { request };
      return {
        request,
        reason: {
          code: 'forbidden',
          message: `the HPA controller (${who.user}) may not ${attrs.verb} ${attrs.resource} in ${group}${st?.reason ? `: ${st.reason}` : ''}; the server answers it 403`,
          fix: `the HPA controller needs get and list on * in custom.metrics.k8s.io and external.metrics.k8s.io: Kubernetes' default ClusterRole system:controller:horizontal-pod-autoscaler grants it; restore it (kubectl auth reconcile) or bind ${who.user} to a ClusterRole that does`,
        },
      };
    } catch (e) {
      notes.push(`could not check the HPA controller's access: ${(e as Error).message}`);
      return { request };
    }
  }

  async #resource(base: { metric: string; target: string; notes: string[] }, ns: string, selector: string, m: MetricSpec & { type: 'Resource' | 'ContainerResource' }, t: MetricTarget, current: number): Promise<MetricExplanation> {
    const resName = m.type === 'Resource' ? m.resource.name : m.containerResource.name;
    const container = m.type === 'ContainerResource' ? m.containerResource.container : undefined;
    const version = await this.#groupVersion('metrics.k8s.io', ['v1beta1']);
    if (typeof version !== 'string') return { ...base, requests: [], values: [], reason: version };
    const path = `/apis/metrics.k8s.io/${version}/namespaces/${enc(ns)}/pods?labelSelector=${enc(selector)}`;
    const requests = [`GET ${path}`];
    let answer: ApiAnswer;
    try {
      answer = await this.#deps.metrics.get(path);
    } catch (e) {
      return { ...base, requests, values: [], reason: { code: 'api-unavailable', message: `GET ${path} failed: ${(e as Error).message}`, fix: 'check the metrics server is running and reachable' } };
    }
    const pods = await this.#pods(ns, selector);
    const usage = new Map<string, { milli: number; timestamp?: string }>();
    if (answer.status === 200) {
      for (const item of ((answer.body as { items?: PodMetricsJSON[] }).items ?? [])) {
        let sum = 0;
        for (const c of item.containers ?? []) if (!container || c.name === container) sum += c.usage?.[resName] ? milli(c.usage[resName]) : 0;
        usage.set(item.metadata.name, { milli: sum, timestamp: item.timestamp });
      }
    }
    const values: MetricItemValue[] = [...usage].map(([pod, u]) => ({ object: `Pod ${ns}/${pod}`, value: fromMilli(u.milli), ...(u.timestamp ? { timestamp: u.timestamp } : {}) }));
    const classified = classifyAnswer(answer.status === 200 ? { status: 200, body: { items: values.map((v) => ({ describedObject: { kind: 'Pod', name: v.object }, value: v.value, timestamp: v.timestamp })) } } : answer, {
      groupVersion: `metrics.k8s.io/${version}`,
      metric: resName,
      matchingObjects: pods?.length,
      selectorText: selector,
      selects: 'pods',
      now: this.#deps.now(),
      maxAgeMs: this.#deps.maxAgeMs ?? 5 * 60_000,
    });
    if (classified.reason) return { ...base, requests, values, reason: classified.reason };
    const tol = this.#deps.tolerance ?? DEFAULT_TOLERANCE;
    const withValues = (pods ?? []).filter((p) => usage.has(p.name));
    if (t.type === 'Utilization') {
      const requestsMilli: number[] = [];
      for (const p of withValues) {
        const missing = p.containers.find((c) => (!container || c.name === container) && c.requests[resName] === undefined);
        if (missing) {
          return { ...base, requests, values, reason: { code: 'missing-request', message: `missing request for ${resName} in container ${missing.name} of Pod ${p.name}`, fix: `set resources.requests.${resName} on every container of the target's pod template (Utilization is a percentage of the request)` } };
        }
        requestsMilli.push(p.containers.filter((c) => !container || c.name === container).reduce((a, c) => a + milli(c.requests[resName]!), 0));
      }
      const proposal = utilizationReplicas(current, withValues.map((p) => usage.get(p.name)!.milli), requestsMilli, t.averageUtilization!, tol);
      return { ...base, requests, values, current: `${proposal.current}%`, proposal };
    }
    const proposal = averageValueReplicas(current, [...usage.values()].map((u) => u.milli), milli(t.averageValue ?? t.value ?? '0'), tol);
    return { ...base, requests, values, current: fromMilli(proposal.current), proposal };
  }
}

interface PodJSON {
  metadata: { name: string };
  spec?: { containers?: Array<{ name: string; resources?: { requests?: Record<string, string> } }> };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
}

interface PodMetricsJSON {
  metadata: { name: string };
  timestamp?: string;
  containers?: Array<{ name: string; usage?: Record<string, string> }>;
}

interface PodInfo {
  name: string;
  ready: boolean;
  containers: Array<{ name: string; requests: Record<string, string | undefined> }>;
}

function podInfo(p: PodJSON): PodInfo {
  const readyCond = p.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    name: p.metadata.name,
    ready: p.status?.phase === 'Running' && (readyCond === undefined || readyCond.status === 'True'),
    containers: (p.spec?.containers ?? []).map((c) => ({ name: c.name, requests: { ...(c.resources?.requests ?? {}) } })),
  };
}

function metricLabel(m: MetricSpec): string {
  switch (m.type) {
    case 'Pods':
      return `Pods ${m.pods.metric.name}`;
    case 'Object':
      return `Object ${m.object.describedObject.kind}/${m.object.describedObject.name} ${m.object.metric.name}`;
    case 'External':
      return `External ${m.external.metric.name}`;
    case 'Resource':
      return `Resource ${m.resource.name}`;
    case 'ContainerResource':
      return `ContainerResource ${m.containerResource.name} (container ${m.containerResource.container})`;
  }
}

function metricTarget(m: MetricSpec): MetricTarget {
  switch (m.type) {
    case 'Pods':
      return m.pods.target;
    case 'Object':
      return m.object.target;
    case 'External':
      return m.external.target;
    case 'Resource':
      return m.resource.target;
    case 'ContainerResource':
      return m.containerResource.target;
  }
}

function selectorText(ls: LabelSelectorJSON | undefined): string | Error {
  if (!ls) return '';
  try {
    return labelSelectorToSelector(ls as LabelSelector).toString();
  } catch (e) {
    return e as Error;
  }
}
