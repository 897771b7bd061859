// `custom-metrics-server explain`: why an HPA shows `<unknown>`, from the client side, talking to
// the cluster and the metrics APIs through kubeconfigs as the HPA controller does.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import { chooseCluster } from '../kube/clients.js';
import { KubeRest } from '../kube/rest.js';
import { Explainer, HPA_CONTROLLER_USER, type HpaExplanation } from '../explain/engine.js';
import { kubeApiClient } from '../explain/kube-api-client.js';
import { hpaFromObject, HpaManifestError, parseHpaManifests, type Hpa } from '../explain/hpa.js';
import { renderText } from '../explain/render.js';
import { parseSeconds } from './flags.js';

/** Options of `explain`. */
export interface ExplainOptions {
  file?: string[];
  all?: boolean;
  namespace?: string;
  kubeconfig?: string;
  metricsKubeconfig?: string;
  output: 'text' | 'json';
  maxAge: number;
  hpaUser: string;
  accessCheck: boolean;
}

/** Exit code when some metric of some HPA does not resolve. */
export const EXIT_UNKNOWN = 1;

/** Adds the `explain` command's flags to `cmd`. */
export function addExplainFlags(cmd: Command): Command {
  return cmd
    .option('-f, --file <file...>', 'HPA manifests (autoscaling/v2; YAML, several documents or a List); - reads stdin')
    .option('--all', 'every HPA in the cluster (or in --namespace)')
    .option('-n, --namespace <ns>', 'with --all: only this namespace; with -f: the namespace of manifests that set none (default "default")')
    .option('--kubeconfig <file>', 'the cluster: HPAs, scale targets, pods, access checks (default as kubectl: $KUBECONFIG, then ~/.kube/config)')
    .option('--metrics-kubeconfig <file>', 'where to send the metrics API requests (default: --kubeconfig, i.e. through the aggregator as the HPA controller does; point it at the server to bypass the aggregator)')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .option('--max-age <duration>', 'values older than this are reported stale', (v) => {
      const s = parseSeconds(v);
      if (s <= 0) throw new InvalidArgumentError('expected a positive duration');
      return s;
    }, 300)
    .option('--hpa-user <user>', 'the HPA controller\'s user, for the access check', HPA_CONTROLLER_USER.user)
    .option('--no-access-check', 'skip the SubjectAccessReview for the HPA controller\'s identity');
}

function loadKubeconfig(file: string): KubeRest {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return new KubeRest(kc);
}

async function readHpas(opts: ExplainOptions, cluster: KubeRest, readStdin: () => string): Promise<Hpa[]> {
  if (opts.file && opts.file.length > 0) {
    return opts.file.flatMap((f) => parseHpaManifests(f === '-' ? readStdin() : readFileSync(f, 'utf8'), f === '-' ? 'stdin' : f, opts.namespace ?? 'default'));
  }
  const path = opts.namespace
    ? `/apis/autoscaling/v2/namespaces/${encodeURIComponent(opts.namespace)}/horizontalpodautoscalers`
    : '/apis/autoscaling/v2/horizontalpodautoscalers';
  const res = await cluster.request<{ items?: unknown[]; message?: string }>('GET', path);
  if (res.status !== 200) throw new Error(`cannot list HPAs: GET ${path} answered ${res.status}${res.body?.message ? `: ${res.body.message}` : ''}`);
  return (res.body?.items ?? []).map((item, i) => hpaFromObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', ...(item as object) }, `${path} items[${i}]`));
}

/**
 * runExplain explains the HPAs named by `opts`, writes the result and resolves with the exit
 * code: 0 when every metric resolves, {@link EXIT_UNKNOWN} otherwise. Throws for unusable
 * flags, kubeconfigs or manifests (the caller reports them).
 */
export async function runExplain(
  opts: ExplainOptions,
  io: { stdout(text: string): void; readStdin?: () => string },
  now: () => Date = () => new Date(),
): Promise<number> {
  if (!opts.all === !(opts.file && opts.file.length > 0)) throw new HpaManifestError('give either -f FILE... or --all');
  const choice = chooseCluster({ kubeconfig: opts.kubeconfig });
  if (!choice.clients) throw new Error(`no cluster to talk to: ${choice.reason}; pass --kubeconfig`);
  const cluster = choice.clients.main;
  const metrics = opts.metricsKubeconfig ? loadKubeconfig(opts.metricsKubeconfig) : cluster;
  const hpas = await readHpas(opts, cluster, io.readStdin ?? (() => readFileSync(0, 'utf8')));
  const explainer = new Explainer({
    cluster: kubeApiClient(cluster),
    metrics: kubeApiClient(metrics),
    now,
    maxAgeMs: opts.maxAge * 1000,
    hpaIdentity: opts.accessCheck ? { user: opts.hpaUser, groups: opts.hpaUser === HPA_CONTROLLER_USER.user ? HPA_CONTROLLER_USER.groups : ['system:authenticated'] } : null,
  });
  const results: HpaExplanation[] = [];
  for (const hpa of hpas) results.push(await explainer.explain(hpa));
  if (opts.output === 'json') io.stdout(`${JSON.stringify({ hpas: results, ok: results.every((r) => r.ok) }, null, 2)}\n`);
  else io.stdout(results.length === 0 ? 'no HorizontalPodAutoscaler found\n' : renderText(results));
  return results.every((r) => r.ok) ? 0 : EXIT_UNKNOWN;
}
