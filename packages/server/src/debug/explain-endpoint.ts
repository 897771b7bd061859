// /debug/explain: the explain engine run from inside the server, with its own kubeconfig (the
// metrics requests go through the aggregator, as the HPA controller's do). POST an HPA manifest
// (YAML) to explain it, GET to explain every HPA in the cluster.
import { Explainer, type HpaExplanation } from '../explain/engine.js';
import { hpaFromObject, HpaManifestError, parseHpaManifests } from '../explain/hpa.js';
import { kubeApiClient } from '../explain/kube-api-client.js';
import type { KubeRest } from '../kube/rest.js';

/** The answer of /debug/explain: a status code and a JSON body. */
export interface ExplainAnswer {
  status: number;
  body: unknown;
}

const statusBody = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });

/** Maximum size of a POSTed manifest. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * explainFromDebug explains the HPAs of `yaml` (or every HPA of the cluster when `yaml` is
 * undefined) through `cluster`; without a cluster (standalone) it answers 503 saying so.
 */
export async function explainFromDebug(cluster: KubeRest | undefined, yaml: string | undefined, now: () => Date = () => new Date()): Promise<ExplainAnswer> {
  if (!cluster) return { status: 503, body: statusBody(503, 'ServiceUnavailable', 'explain needs a cluster: the server runs standalone (no kubeconfig); run `custom-metrics-server explain` with a kubeconfig instead') };
  let hpas;
  try {
    if (yaml !== undefined) hpas = parseHpaManifests(yaml, 'the posted manifest');
    else {
      const res = await cluster.request<{ items?: unknown[]; message?: string }>('GET', '/apis/autoscaling/v2/horizontalpodautoscalers');
      if (res.status !== 200) {
        return { status: 502, body: statusBody(502, 'BadGateway', `listing HPAs answered ${res.status}${res.body?.message ? `: ${res.body.message}` : ''}; the server's service account needs list on horizontalpodautoscalers (deploy/02-rbac.yaml)`) };
      }
      hpas = (res.body?.items ?? []).map((item, i) => hpaFromObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', ...(item as object) }, `items[${i}]`));
    }
  } catch (e) {
    if (e instanceof HpaManifestError) return { status: 400, body: statusBody(400, 'BadRequest', e.message) };
    return { status: 502, body: statusBody(502, 'BadGateway', `cannot read HPAs: ${(e as Error).message}`) };
  }
  const client = kubeApiClient(cluster);
  const explainer = new Explainer({ cluster: client, metrics: client, now });
  const out: HpaExplanation[] = [];
  for (const h of hpas) out.push(await explainer.explain(h));
  return { status: 200, body: { hpas: out, ok: out.every((h) => h.ok) } };
}
