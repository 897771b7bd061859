// The Prometheus backend resolves `resources.template` labels through the cluster's discovery, as
// prometheus-adapter's RESTMapper does: against a real Prometheus and the kube-apiserver double
// serving CRDs (argoproj.io/rollouts, keda.sh/scaledobjects, cert-manager.io/certificates), read
// through the server's InformerKubeLookup. Also: `<<.LabelValuesByName.rollout>>` in a query
// template, and external metrics restricted to the asking namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { parseSelector, Selector } from '@custom-metrics/core';
import type { BackendInstance, CustomMetricsProvider, ExternalMetricsProvider } from '@custom-metrics/core';
import { fakeBackendContext } from '@custom-metrics/core/testing';
import { createPrometheusBackend } from '@custom-metrics/backend-prometheus';
import { requireBinary, tempDir, waitFor } from '../../test-support/index.js';
import { startExporter, type TestExporter } from '../../packages/backend-prometheus/test/support/exporter.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';
import { InformerKubeLookup } from '../../packages/server/src/kube/informer-lookup.js';
import { KubeRest } from '../../packages/server/src/kube/rest.js';
import { DEFAULT_RESOURCES, KubeApiserverDouble } from '../../packages/server/test/kube/apiserver-double.js';

const bin = requireBinary('prometheus', 'apt-get install prometheus');

const CRDS = [
  { group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts', kind: 'Rollout', namespaced: true },
  { group: 'keda.sh', version: 'v1alpha1', resource: 'scaledobjects', kind: 'ScaledObject', namespaced: true },
  { group: 'cert-manager.io', version: 'v1', resource: 'certificates', kind: 'Certificate', namespaced: true },
];

describe.skipIf(!bin)('Prometheus backend: template labels resolved through discovery (CRDs included)', () => {
  let double: KubeApiserverDouble;
  let lookup: InformerKubeLookup;
  let exporter: TestExporter;
  let prom: PrometheusProcess;
  let instance: BackendInstance & { custom: CustomMetricsProvider; external: ExternalMetricsProvider };
  const dir = tempDir('prom-crd');
  const signal = () => new AbortController().signal;

  beforeAll(async () => {
    double = await KubeApiserverDouble.start([...DEFAULT_RESOURCES, ...CRDS]);
    double.upsert('rollouts.argoproj.io', { metadata: { namespace: 'demo', name: 'web', labels: { app: 'web' } } });
    double.upsert('scaledobjects.keda.sh', { metadata: { namespace: 'demo', name: 'so', labels: {} } });
    double.upsert('certificates.cert-manager.io', { metadata: { namespace: 'demo', name: 'tls', labels: {} } });
    const kc = new KubeConfig();
    kc.loadFromFile(double.writeKubeconfig(dir.path));
    lookup = new InformerKubeLookup(new KubeRest(kc), { restartDelayMs: 100 });
    exporter = await startExporter([
      { name: 'app_requests', labels: { namespace: 'demo', rollout: 'web' }, value: 5 },
      { name: 'app_requests', labels: { namespace: 'demo', scaledobject: 'so' }, value: 3 },
      { name: 'app_requests', labels: { namespace: 'demo', widget: 'w' }, value: 1 },
      { name: 'cert_expiry', labels: { namespace: 'demo', cert_manager_io_certificate: 'tls' }, value: 86400 },
      { name: 'jobs_waiting', labels: { namespace: 'demo', queue: 'a' }, value: 4 },
      { name: 'jobs_waiting', labels: { namespace: 'other', queue: 'b' }, value: 40 },
    ]);
    prom = await startPrometheus(bin as string, exporter.port);
    await waitFor('the first scrape', async () => (await prom.query('count({__name__=~"app_requests|cert_expiry|jobs_waiting"})'))[0]?.value === 6, 30_000, 250);
    // app_late appears only later: the rule's seriesQuery covers it.
    const ctx = fakeBackendContext({ kube: lookup });
    instance = createPrometheusBackend(ctx, {
      url: prom.url,
      cache: { ttl: '0s' },
      // onDemandWait is generous: a relist against a local Prometheus takes milliseconds.
      discovery: { interval: '1m', lookback: '5m', onDemandWait: '20s' },
      rules: [
        {
          seriesQuery: '{__name__=~"app_requests|app_late"}',
          resources: { template: '<<.Resource>>' },
          // For a Rollout, `rollout=~"web|"` matches only if .LabelValuesByName.rollout was filled in.
          metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>,rollout=~"<<.LabelValuesByName.rollout>>|"}) by (<<.GroupBy>>)',
        },
        { seriesQuery: 'cert_expiry', resources: { template: '<<.Group>>_<<.Resource>>', overrides: { namespace: { resource: 'namespace' } } }, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' },
      ],
      externalRules: [
        { seriesQuery: 'jobs_waiting', metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (queue)' },
        { seriesQuery: 'jobs_waiting', name: { as: 'jobs_waiting_all' }, metricsQuery: 'sum(jobs_waiting{<<.LabelMatchers>>}) by (queue)', resources: { namespaced: false } },
      ],
    }) as typeof instance;
    await instance.start?.();
  }, 60_000);

  afterAll(async () => {
    await instance?.close?.();
    await prom?.dispose();
    await exporter?.stop();
    await lookup?.close();
    await double?.close();
    dir.remove();
  });

  it('lists metrics on CRDs found by singular name, with or without .Group, and nothing for unknown resources', () => {
    const listed = instance.custom.listAllMetrics().map((m) => `${m.groupResource.resource}.${m.groupResource.group}/${m.metric}/${m.namespaced}`).sort();
    expect(listed).toEqual([
      'certificates.cert-manager.io/cert_expiry/true',
      'namespaces./app_requests/false',
      'namespaces./cert_expiry/false',
      'rollouts.argoproj.io/app_requests/true',
      'scaledobjects.keda.sh/app_requests/true',
    ]);
  });

  it('serves a Rollout and a Certificate by name, described with their discovered kinds', async () => {
    const rollout = await instance.custom.getMetricByName({
      namespace: 'demo',
      name: 'web',
      info: { groupResource: { group: 'argoproj.io', resource: 'rollouts' }, namespaced: true, metric: 'app_requests' },
      metricSelector: Selector.everything(),
      signal: signal(),
    });
    expect(rollout.value).toBe(5);
    expect(rollout.describedObject).toEqual({ kind: 'Rollout', namespace: 'demo', name: 'web', apiVersion: 'argoproj.io/v1alpha1' });
    const cert = await instance.custom.getMetricByName({
      namespace: 'demo',
      name: 'tls',
      info: { groupResource: { group: 'cert-manager.io', resource: 'certificates' }, namespaced: true, metric: 'cert_expiry' },
      metricSelector: Selector.everything(),
      signal: signal(),
    });
    expect(cert.value).toBe(86400);
    expect(cert.describedObject).toMatchObject({ kind: 'Certificate', apiVersion: 'cert-manager.io/v1' });
    const so = await instance.custom.getMetricBySelector({
      namespace: 'demo',
      selector: Selector.everything(),
      info: { groupResource: { group: 'keda.sh', resource: 'scaledobjects' }, namespaced: true, metric: 'app_requests' },
      metricSelector: Selector.everything(),
      signal: signal(),
    });
    expect(so.map((v) => [v.describedObject.kind, v.describedObject.name, v.value])).toEqual([['ScaledObject', 'so', 3]]);
  });

  it('finds a metric that appeared after the last relist on demand (discovery.interval is 1m), with the defaults', async () => {
    exporter.series = [...exporter.series, { name: 'app_late', labels: { namespace: 'demo', rollout: 'web' }, value: 11 }];
    await waitFor('the new series to be scraped', async () => (await prom.query('app_late'))[0]?.value === 11, 30_000, 250);
    expect(instance.custom.listAllMetrics().some((m) => m.metric === 'app_late')).toBe(false);
    const v = await instance.custom.getMetricByName({
      namespace: 'demo',
      name: 'web',
      info: { groupResource: { group: 'argoproj.io', resource: 'rollouts' }, namespaced: true, metric: 'app_late' },
      metricSelector: Selector.everything(),
      signal: signal(),
    });
    expect(v.value).toBe(11);
  });

  it('external metrics: the asking namespace only, a contradicting metricSelector yields nothing, namespaced: false sees all', async () => {
    const get = async (metric: string, namespace: string, sel = '') =>
      (await instance.external.getExternalMetric({ namespace, info: { metric }, metricSelector: parseSelector(sel), signal: signal() })).map((v) => v.value).sort((a, b) => a - b);
    expect(await get('jobs_waiting', 'demo')).toEqual([4]);
    expect(await get('jobs_waiting', 'evil')).toEqual([]);
    expect(await get('jobs_waiting', 'evil', 'namespace=other')).toEqual([]);
    expect(await get('jobs_waiting_all', 'evil')).toEqual([4, 40]);
  });
});
