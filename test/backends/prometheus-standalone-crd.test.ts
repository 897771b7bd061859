// Standalone mode (no cluster) with kinds the config declares (`standalone.resources`): the real
// server binary (`--standalone`, client-certificate authentication) with the Prometheus backend
// over a real Prometheus scraping series that carry a `rollout` label. A `<<.Resource>>` template
// maps `rollout` to `rollouts.argoproj.io` only because the config declares the kind; the metric
// is served by name and by label selector over `standalone.objects`, through HTTPS and
// `kubectl get --raw`, and a reload treats `standalone.resources` as restart-only.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, tempDir, waitFor } from '../../test-support/index.js';
import { startExporter, type TestExporter } from '../../packages/backend-prometheus/test/support/exporter.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';
import { startChildServer, type ChildServer } from '../../packages/server/test/support/child-server.js';

const prometheusBin = requireBinary('prometheus', 'apt-get install prometheus');
const kubectlBin = requireBinary('kubectl', 'install kubectl: https://kubernetes.io/docs/tasks/tools/');

interface ValueList {
  items: Array<{ describedObject: { kind: string; apiVersion: string; namespace?: string; name: string }; metricName?: string; metric?: { name: string }; value: string }>;
}

interface MetricList {
  resources: Array<{ name: string; namespaced: boolean }>;
}

const CUSTOM = '/apis/custom.metrics.k8s.io';

describe.skipIf(!prometheusBin || !kubectlBin)('standalone mode: kinds declared in standalone.resources, Prometheus template labels, kubectl', () => {
  const dir = tempDir('prom-standalone-crd');
  let exporter: TestExporter;
  let prom: PrometheusProcess;
  let server: ChildServer;
  let yaml: (resources: string[]) => string[];

  beforeAll(async () => {
    exporter = await startExporter([
      { name: 'rollout_requests', labels: { namespace: 'demo', rollout: 'web' }, value: 7 },
      { name: 'rollout_requests', labels: { namespace: 'demo', rollout: 'api' }, value: 3 },
      { name: 'rollout_requests', labels: { namespace: 'other', rollout: 'web' }, value: 100 },
      { name: 'pod_requests_total', labels: { namespace: 'demo', pod: 'web-1', verb: 'GET' }, value: 2 },
      { name: 'pod_requests_total', labels: { namespace: 'demo', pod: 'web-2', verb: 'GET' }, value: 5 },
      { name: 'pod_requests_total', labels: { namespace: 'demo', pod: 'web-2', verb: 'DELETE' }, value: 50 },
      { name: 'pod_requests_total', labels: { namespace: 'other', pod: 'web-1', verb: 'GET' }, value: 100 },
      // No kind named `widget` is declared: this series yields no metric.
      { name: 'widget_requests', labels: { namespace: 'demo', widget: 'w' }, value: 1 },
    ]);
    prom = await startPrometheus(prometheusBin as string, exporter.port);
    await waitFor('the first scrape', async () => (await prom.query('count({__name__=~"rollout_requests|widget_requests|pod_requests_total"})'))[0]?.value === 8, 30_000, 250);
    yaml = (resources) => [
      'backends:',
      '  - name: prom',
      '    type: prometheus',
      '    config:',
      `      url: ${prom.url}`,
      "      cache: { ttl: '0s' }",
      '      rules:',
      "        - seriesQuery: '{__name__=~\"rollout_requests|widget_requests\"}'",
      "          resources: { template: '<<.Resource>>' }",
      "          metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'",
      // Every field prometheus-adapter documents for metricsQuery: .Series, .LabelMatchers,
      // .GroupBy, .GroupBySlice (join, both argument orders, and as a pipeline) and
      // .LabelValuesByName (as .LabelValuesByName.pod and through index); plus seriesFilters and
      // name.matches/as with a capture reference.
      "        - seriesQuery: '{__name__=~\"pod_.*_total\"}'",
      "          seriesFilters: [{ isNot: '^pod_ignored_total$' }]",
      '          resources: { overrides: { namespace: { resource: namespace }, pod: { resource: pod } } }',
      "          name: { matches: '^pod_(.*)_total$', as: '${1}_per_pod' }",
      '          metricsQuery: >-',
      '            sum by (<<.GroupBy>>) (<<.Series>>{<<.LabelMatchers>>,pod=~"<<.LabelValuesByName.pod>>",verb!="DELETE"})',
      '            + on (<<join .GroupBySlice ",">>) group_left()',
      '            (0 * count by (<<join "," .GroupBySlice>>) (<<.Series>>{namespace="<<index .LabelValuesByName "namespace">>"}))',
      '            + on (<<.GroupBySlice | join ",">>) group_left() (0 * count by (<<.GroupBy>>) (<<.Series>>))',
      'standalone:',
      '  resources:',
      ...resources,
      '  objects:',
      '    - { resource: rollouts.argoproj.io, namespace: demo, name: web, labels: { app: shop } }',
      '    - { resource: rollouts.argoproj.io, namespace: demo, name: api, labels: { app: shop } }',
      '    - { resource: rollouts.argoproj.io, namespace: demo, name: idle, labels: { app: other } }',
      '    - { resource: pods, namespace: demo, name: web-1, labels: { app: shop } }',
      '    - { resource: pods, namespace: demo, name: web-2, labels: { app: shop } }',
    ];
    server = await startChildServer(dir.path, yaml(['    - { group: argoproj.io, version: v1alpha1, kind: Rollout, resource: rollouts }']));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await prom?.dispose();
    await exporter?.stop();
    dir.remove();
  });

  const kubectl = (path: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        kubectlBin as string,
        ['--kubeconfig', server.kubeconfig, 'get', '--raw', path],
        { env: { PATH: process.env.PATH ?? '', HOME: dir.path }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
    });

  it('lists the metric on rollouts.argoproj.io (found by the declared kind), nothing for an undeclared label', async () => {
    const res = await server.get(`${CUSTOM}/v1beta2`);
    expect(res.status).toBe(200);
    const names = (JSON.parse(res.body) as MetricList).resources.map((r) => `${r.name}/${r.namespaced}`);
    expect(names).toContain('rollouts.argoproj.io/rollout_requests/true');
    // (`job` is Prometheus' own target label, a built-in kind: jobs.batch is listed as upstream does.)
    expect(names.filter((n) => n.startsWith('widget'))).toEqual([]);
  }, 60_000);

  it('serves a Rollout by name through kubectl get --raw, described with the declared kind and version', async () => {
    const run = await kubectl(`${CUSTOM}/v1beta2/namespaces/demo/rollouts.argoproj.io/web/rollout_requests`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as ValueList;
    expect(list.items.map((i) => [i.describedObject, i.value])).toEqual([[{ kind: 'Rollout', apiVersion: 'argoproj.io/v1alpha1', namespace: 'demo', name: 'web' }, '7']]);
  }, 60_000);

  it('serves the Rollouts a label selector picks from standalone.objects (v1beta1 too), values equal to Prometheus', async () => {
    const direct = await prom.query('sum(rollout_requests{namespace="demo",rollout=~"api|web"}) by (rollout)');
    const want = Object.fromEntries(direct.map((s) => [s.metric.rollout, String(s.value)]));
    for (const version of ['v1beta1', 'v1beta2']) {
      const run = await kubectl(`${CUSTOM}/${version}/namespaces/demo/rollouts.argoproj.io/%2A/rollout_requests?labelSelector=app%3Dshop`);
      expect(run.code).toBe(0);
      const list = JSON.parse(run.stdout) as ValueList;
      expect(Object.fromEntries(list.items.map((i) => [i.describedObject.name, i.value]))).toEqual(want);
    }
  }, 60_000);

  it('accepts every template field prometheus-adapter documents (.LabelValuesByName.pod included), by name and by selector, through kubectl', async () => {
    const byName = await kubectl(`${CUSTOM}/v1beta2/namespaces/demo/pods/web-2/requests_per_pod`);
    expect(byName.stderr).toBe('');
    expect((JSON.parse(byName.stdout) as ValueList).items.map((i) => [i.describedObject.name, i.metric?.name, i.value])).toEqual([['web-2', 'requests_per_pod', '5']]);
    const direct = await prom.query('sum by (pod) (pod_requests_total{namespace="demo",pod=~"web-1|web-2",verb!="DELETE"})');
    const bySelector = await kubectl(`${CUSTOM}/v1beta1/namespaces/demo/pods/%2A/requests_per_pod?labelSelector=app%3Dshop`);
    expect(bySelector.code).toBe(0);
    expect(Object.fromEntries((JSON.parse(bySelector.stdout) as ValueList).items.map((i) => [i.describedObject.name, Number(i.value)]))).toEqual(
      Object.fromEntries(direct.map((d) => [d.metric.pod, d.value])),
    );
  }, 60_000);

  it('answers a resource nobody declared with a 404 Status', async () => {
    const res = await server.get(`${CUSTOM}/v1beta2/namespaces/demo/widgets/w/widget_requests`);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', code: 404 });
  }, 60_000);

  it('reload: a changed standalone.resources is restart-only (logged, the running kinds keep serving); a bad entry keeps the last good config', async () => {
    const rollout = '    - { group: argoproj.io, version: v1alpha1, kind: Rollout, resource: rollouts }';
    server.rewrite(yaml([rollout, '    - { group: keda.sh, version: v1alpha1, kind: ScaledObject, resource: scaledobjects }']));
    await waitFor('the restart-only change to be logged', async () => /standalone\.resources changed; not applied until restart/.test(server.output()), 20_000);
    server.rewrite(yaml([rollout, '    - { group: argoproj.io, version: v1alpha1, kind: Rollout, resource: rollouts }']));
    await waitFor(
      'the duplicate to be refused',
      async () => /config-reload failed: .*standalone\.resources\[1\]\.resource: a resource declared once/.test((await server.get('/readyz?verbose')).body),
      20_000,
    );
    const res = await server.get(`${CUSTOM}/v1beta2/namespaces/demo/rollouts.argoproj.io/web/rollout_requests`);
    expect(res.status).toBe(200);
    expect(server.alive()).toBe(true);
  }, 60_000);
});
