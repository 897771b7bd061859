// /debug/explain: the explain engine run from inside the server, with its own kubeconfig (the
// metrics requests go through the aggregator, as the HPA controller's do). POST an HPA manifest
// (YAML) to explain it, GET to explain every HPA in the cluster — read from the server's informer
// cache (list + watch, started at the first GET), never listed per request.
import type { KubernetesObject } from '@kubernetes/client-node';
import { Explainer, type HpaExplanation } from '../explain/engine.js';
import { hpaFromObject, HpaManifestError, parseHpaManifests, type Hpa } from '../explain/hpa.js';
import { kubeApiClient } from '../explain/kube-api-client.js';
import type { KubeRest } from '../kube/rest.js';

/** The answer of /debug/explain: a status code and a JSON body. */
export interface ExplainAnswer {
  status: number;
  body: unknown;
}

/** Where the cluster's HPAs are read from: the server's informers ({@link InformerKubeLookup.objects}). */
export interface HpaSource {
  objects(resource: { group: string; resource: string }): Promise<{ apiVersion: string; kind: string; items: readonly KubernetesObject[] }>;
}

/** What /debug/explain talks to in cluster mode. */
export interface ExplainCluster {
  /** The server's kubeconfig: scale targets, pods, the metrics APIs through the aggregator. */
  readonly rest: KubeRest;
  /** The informers the HPAs are read from; without them (tests), one LIST per GET. */
  readonly hpas?: HpaSource;
}

const statusBody = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });

/** Maximum size of a POSTed manifest. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

const HPA_RESOURCE = { group: 'autoscaling', resource: 'horizontalpodautoscalers' };
const RBAC_HINT = "the server's service account needs get, list and watch on horizontalpodautoscalers (deploy/02-rbac.yaml, the chart's rbac.yaml)";

/** Thrown for a cluster that does not answer the HPA list as it should (502). */
class HpaListError extends Error {}

/** The cluster's HPAs, from the informers (autoscaling/v2 served) or one LIST. */
async function clusterHpas(cluster: ExplainCluster): Promise<{ hpas: Hpa[]; source: 'informer' | 'list' }> {
  if (cluster.hpas) {
    let listed;
    try {
      listed = await cluster.hpas.objects(HPA_RESOURCE);
    } catch (e) {
      throw new HpaListError(`cannot read HPAs from the informer cache: ${(e as Error).message}; ${RBAC_HINT}`);
    }
    // The informer serves the preferred version: autoscaling/v2 since Kubernetes 1.23. An older
    // preferred version lacks the v2 metric specs, so such a cluster is listed in v2 below.
    if (listed.apiVersion === 'autoscaling/v2') {
      const items = [...listed.items].sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
      return { hpas: items.map((item, i) => hpaFromObject({ ...item, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' }, `items[${i}]`)), source: 'informer' };
    }
  }
  const res = await cluster.rest.request<{ items?: unknown[]; message?: string }>('GET', '/apis/autoscaling/v2/horizontalpodautoscalers');
  if (res.status !== 200) throw new HpaListError(`listing HPAs answered ${res.status}${res.body?.message ? `: ${res.body.message}` : ''}; ${RBAC_HINT}`);
  return { hpas: (res.body?.items ?? []).map((item, i) => hpaFromObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', ...(item as object) }, `items[${i}]`)), source: 'list' };
}

/**
 * explainFromDebug explains the HPAs of `yaml` (or every HPA of the cluster when `yaml` is
 * undefined) through `cluster`; without a cluster (standalone) it answers 503 saying so. The
 * body is `{ hpas, ok, source }`, `source` telling where the HPAs came from (`posted`,
 * `informer` or `list`).
 */
export async function explainFromDebug(cluster: ExplainCluster | undefined, yaml: string | undefined, now: () => Date = () => new Date()): Promise<ExplainAnswer> {
  if (!cluster) return { status: 503, body: statusBody(503, 'ServiceUnavailable', 'explain needs a cluster: the server runs standalone (no kubeconfig); run `custom-metrics-server explain` with a kubeconfig instead') };
  let hpas: Hpa[];
  let source: 'posted' | 'informer' | 'list';
  try {
    if (yaml !== undefined) {
      hpas = parseHpaManifests(yaml, 'the posted manifest');
      source = 'posted';
    } else ({ hpas, source } = await clusterHpas(cluster));
  } catch (e) {
    if (e instanceof HpaManifestError) return { status: 400, body: statusBody(400, 'BadRequest', e.message) };
    if (e instanceof HpaListError) return { status: 502, body: statusBody(502, 'BadGateway', e.message) };
    return { status: 502, body: statusBody(502, 'BadGateway', `cannot read HPAs: ${(e as Error).message}`) };
  }
  const client = kubeApiClient(cluster.rest);
  const explainer = new Explainer({ cluster: client, metrics: client, now });
  const out: HpaExplanation[] = [];
  for (const h of hpas) out.push(await explainer.explain(h));
  return { status: 200, body: { hpas: out, ok: out.every((h) => h.ok), source } };
}
