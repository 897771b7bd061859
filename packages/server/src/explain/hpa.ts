// The parts of an autoscaling/v2 HorizontalPodAutoscaler that `explain` reads, and their parsing
// from YAML manifests or API objects. Pure: no I/O.
import { parseAllDocuments } from 'yaml';

/** A metric target (`spec.metrics[].*.target`). */
export interface MetricTarget {
  type: 'Value' | 'AverageValue' | 'Utilization';
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

/** `metric: {name, selector}` of a Pods, Object or External metric. */
export interface MetricIdentifier {
  name: string;
  selector?: LabelSelectorJSON;
}

/** metav1.LabelSelector JSON. */
export interface LabelSelectorJSON {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** A cross-version object reference (scale target, described object). */
export interface ObjectRef {
  apiVersion?: string;
  kind: string;
  name: string;
}

/** One entry of `spec.metrics`. */
export type MetricSpec =
  | { type: 'Pods'; pods: { metric: MetricIdentifier; target: MetricTarget } }
  | { type: 'Object'; object: { describedObject: ObjectRef; metric: MetricIdentifier; target: MetricTarget } }
  | { type: 'External'; external: { metric: MetricIdentifier; target: MetricTarget } }
  | { type: 'Resource'; resource: { name: string; target: MetricTarget } }
  | { type: 'ContainerResource'; containerResource: { name: string; container: string; target: MetricTarget } };

/** An HPA as `explain` reads it. */
export interface Hpa {
  namespace: string;
  name: string;
  scaleTargetRef: ObjectRef;
  minReplicas: number;
  maxReplicas: number;
  metrics: MetricSpec[];
  /** `status.currentReplicas`, when the object came from the cluster. */
  statusReplicas?: number;
}

/** A manifest `explain` cannot read; the message says what to fix. */
export class HpaManifestError extends Error {
  override readonly name = 'HpaManifestError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function need<T>(v: T | undefined, where: string, what: string): T {
  if (v === undefined || v === null || v === '') throw new HpaManifestError(`${where}: ${what} is required`);
  return v;
}

/**
 * hpaFromObject reads an autoscaling/v2 HorizontalPodAutoscaler (manifest or API object);
 * `where` names it in errors. A namespace-less manifest gets `defaultNamespace`.
 * @throws {HpaManifestError} for another kind or version, or a missing required field.
 */
export function hpaFromObject(obj: unknown, where: string, defaultNamespace = 'default'): Hpa {
  if (!isObject(obj)) throw new HpaManifestError(`${where}: not an object`);
  if (obj.kind !== 'HorizontalPodAutoscaler') throw new HpaManifestError(`${where}: kind is ${JSON.stringify(obj.kind)}, expected HorizontalPodAutoscaler`);
  if (obj.apiVersion !== 'autoscaling/v2') {
    throw new HpaManifestError(`${where}: apiVersion is ${JSON.stringify(obj.apiVersion)}; explain reads autoscaling/v2 (convert with kubectl get hpa NAME -o yaml, which serves v2)`);
  }
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = need(typeof meta.name === 'string' ? meta.name : undefined, where, 'metadata.name');
  const at = `${where} (${name})`;
  const spec = isObject(obj.spec) ? obj.spec : {};
  const ref = isObject(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
  const scaleTargetRef: ObjectRef = {
    apiVersion: typeof ref.apiVersion === 'string' ? ref.apiVersion : undefined,
    kind: need(typeof ref.kind === 'string' ? ref.kind : undefined, at, 'spec.scaleTargetRef.kind'),
    name: need(typeof ref.name === 'string' ? ref.name : undefined, at, 'spec.scaleTargetRef.name'),
  };
  const maxReplicas = need(typeof spec.maxReplicas === 'number' ? spec.maxReplicas : undefined, at, 'spec.maxReplicas');
  const minReplicas = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
  // autoscaling/v2 defaults an empty metrics list to 80% CPU utilization.
  const metrics = Array.isArray(spec.metrics) && spec.metrics.length > 0
    ? (spec.metrics as unknown[]).map((m, i) => metricSpec(m, `${at} spec.metrics[${i}]`))
    : [{ type: 'Resource' as const, resource: { name: 'cpu', target: { type: 'Utilization' as const, averageUtilization: 80 } } }];
  const status = isObject(obj.status) ? obj.status : {};
  return {
    namespace: typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : defaultNamespace,
    name,
    scaleTargetRef,
    minReplicas,
    maxReplicas,
    metrics,
    ...(typeof status.currentReplicas === 'number' ? { statusReplicas: status.currentReplicas } : {}),
  };
}

function target(v: unknown, where: string): MetricTarget {
  if (!isObject(v)) throw new HpaManifestError(`${where}.target is required`);
  const type = v.type;
  if (type !== 'Value' && type !== 'AverageValue' && type !== 'Utilization') throw new HpaManifestError(`${where}.target.type must be Value, AverageValue or Utilization`);
  const t: MetricTarget = { type };
  if (v.value !== undefined) t.value = String(v.value);
  if (v.averageValue !== undefined) t.averageValue = String(v.averageValue);
  if (typeof v.averageUtilization === 'number') t.averageUtilization = v.averageUtilization;
  const field = type === 'Value' ? t.value : type === 'AverageValue' ? t.averageValue : t.averageUtilization;
  if (field === undefined) throw new HpaManifestError(`${where}.target: type ${type} needs ${type === 'Value' ? 'value' : type === 'AverageValue' ? 'averageValue' : 'averageUtilization'}`);
  return t;
}

function identifier(v: unknown, where: string): MetricIdentifier {
  if (!isObject(v) || typeof v.name !== 'string' || !v.name) throw new HpaManifestError(`${where}.metric.name is required`);
  return { name: v.name, ...(isObject(v.selector) ? { selector: v.selector as LabelSelectorJSON } : {}) };
}

function metricSpec(m: unknown, where: string): MetricSpec {
  if (!isObject(m)) throw new HpaManifestError(`${where}: not an object`);
  const body = (key: string) => {
    const b = m[key];
    if (!isObject(b)) throw new HpaManifestError(`${where}: type ${String(m.type)} needs the ${key} field`);
    return b;
  };
  switch (m.type) {
    case 'Pods': {
      const b = body('pods');
      return { type: 'Pods', pods: { metric: identifier(b.metric, `${where}.pods`), target: target(b.target, `${where}.pods`) } };
    }
    case 'Object': {
      const b = body('object');
      const d = isObject(b.describedObject) ? b.describedObject : {};
      if (typeof d.kind !== 'string' || typeof d.name !== 'string') throw new HpaManifestError(`${where}.object.describedObject needs kind and name`);
      return {
        type: 'Object',
        object: {
          describedObject: { kind: d.kind, name: d.name, apiVersion: typeof d.apiVersion === 'string' ? d.apiVersion : undefined },
          metric: identifier(b.metric, `${where}.object`),
          target: target(b.target, `${where}.object`),
        },
      };
    }
    case 'External': {
      const b = body('external');
      return { type: 'External', external: { metric: identifier(b.metric, `${where}.external`), target: target(b.target, `${where}.external`) } };
    }
    case 'Resource': {
      const b = body('resource');
      if (typeof b.name !== 'string') throw new HpaManifestError(`${where}.resource.name is required`);
      return { type: 'Resource', resource: { name: b.name, target: target(b.target, `${where}.resource`) } };
    }
    case 'ContainerResource': {
      const b = body('containerResource');
      if (typeof b.name !== 'string' || typeof b.container !== 'string') throw new HpaManifestError(`${where}.containerResource needs name and container`);
      return { type: 'ContainerResource', containerResource: { name: b.name, container: b.container, target: target(b.target, `${where}.containerResource`) } };
    }
    default:
      throw new HpaManifestError(`${where}: type ${JSON.stringify(m.type)} is not one of Pods, Object, External, Resource, ContainerResource`);
  }
}

/**
 * parseHpaManifests reads every HorizontalPodAutoscaler in a YAML stream (`---`-separated
 * documents, or a `kind: List` as `kubectl get -o yaml` writes); other kinds are skipped.
 * @throws {HpaManifestError} for invalid YAML, or when the stream holds no HPA.
 */
export function parseHpaManifests(text: string, source: string, defaultNamespace = 'default'): Hpa[] {
  const out: Hpa[] = [];
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new HpaManifestError(`${source}: not YAML`);
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) throw new HpaManifestError(`${source}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    const obj: unknown = doc.toJS();
    const visit = (o: unknown, where: string) => {
      if (!isObject(o)) return;
      if (o.kind === 'List' && Array.isArray(o.items)) o.items.forEach((item, j) => visit(item, `${where} items[${j}]`));
      else if (o.kind === 'HorizontalPodAutoscaler') out.push(hpaFromObject(o, where, defaultNamespace));
    };
    visit(obj, `${source} document ${i + 1}`);
  });
  if (out.length === 0) throw new HpaManifestError(`${source}: no HorizontalPodAutoscaler in it`);
  return out;
}
