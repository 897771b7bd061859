// A CRD installed while the server runs: the server's discovery (InformerKubeLookup over the
// kube-apiserver double) is refreshed periodically, and the Prometheus backend's next relist maps
// the new kind's label (`kafkatopic` → kafkatopics.kafka.strimzi.io) from a real Prometheus,
// without a restart. Before the CRD exists the series yields no metric on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { Selector } from '@custom-metrics/core';
import type { BackendInstance, CustomMetricsProvider } from '@custom-metrics/core';
import { fakeBackendContext } from '@custom-metrics/core/testing';
import { createPrometheusBackend } from '@custom-metrics/backend-prometheus';
import { requireBinary, tempDir, waitFor } from '../../test-support/index.js';
import { startExporter, type TestExporter } from '../../packages/backend-prometheus/test/support/exporter.js';
import { startPrometheus, type PrometheusProcess } from '../../packages/backend-prometheus/test/support/prometheus.js';
import { InformerKubeLookup } from '../../packages/server/src/kube/informer-lookup.js';
import { KubeRest } from '../../packages/server/src/kube/rest.js';
import { DEFAULT_RESOURCES, KubeApiserverDouble } from '../../packages/server/test/kube/apiserver-double.js';

const bin = requireBinary('prometheus', 'apt-get install prometheus');
const KAFKA_TOPICS = { group: 'kafka.strimzi.io', version: 'v1beta2', resource: 'kafkatopics', kind: 'KafkaTopic', namespaced: true };
/** The server's discovery refresh and the backend's relist, both short so the test need not wait minutes. */
const REFRESH_MS = 300;

describe.skipIf(!bin)('a CRD installed after start: periodic discovery refresh, then the next relist maps its label', () => {
  let double: KubeApiserverDouble;
  let lookup: InformerKubeLookup;
  let exporter: TestExporter;
  let prom: PrometheusProcess;
  let instance: BackendInstance & { custom: CustomMetricsProvider };
  const dir = tempDir('prom-crd-refresh');

  beforeAll(async () => {
    double = await KubeApiserverDouble.start(DEFAULT_RESOURCES);
    const kc = new KubeConfig();
    kc.loadFromFile(double.writeKubeconfig(dir.path));
    lookup = new InformerKubeLookup(new KubeRest(kc), { restartDelayMs: 100, refreshIntervalMs: REFRESH_MS });
    exporter = await startExporter([{ name: 'topic_lag', labels: { namespace: 'demo', kafkatopic: 'orders' }, value: 12 }]);
    prom = await startPrometheus(bin as string, exporter.port);
    await waitFor('the first scrape', async () => (await prom.query('topic_lag'))[0]?.value === 12, 30_000, 250);
    instance = createPrometheusBackend(fakeBackendContext({ kube: lookup }), {
      url: prom.url,
      cache: { ttl: '0s' },
      discovery: { interval: '1s', onDemand: false },
      rules: [{ seriesQuery: 'topic_lag', resources: { template: '<<.Resource>>' }, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' }],
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

  const onTopics = () => instance.custom.listAllMetrics().filter((m) => m.groupResource.group === 'kafka.strimzi.io');

  it('lists nothing on the kind before it exists, then serves it once installed', async () => {
    expect(onTopics()).toEqual([]);
    expect((await lookup.resources()).some((r) => r.resource === 'kafkatopics')).toBe(false);
    double.install(KAFKA_TOPICS);
    double.upsert('kafkatopics.kafka.strimzi.io', { metadata: { namespace: 'demo', name: 'orders', labels: {} } });
    await waitFor('the discovery refresh to list the CRD', async () => (await lookup.resources()).some((r) => r.resource === 'kafkatopics' && r.singular === 'kafkatopic'), 30_000, 100);
    await waitFor('a relist to map the kafkatopic label', async () => onTopics().length > 0, 30_000, 200);
    expect(onTopics().map((m) => `${m.groupResource.resource}/${m.metric}/${m.namespaced}`)).toEqual(['kafkatopics/topic_lag/true']);
    const v = await instance.custom.getMetricByName({
      namespace: 'demo',
      name: 'orders',
      info: { groupResource: { group: 'kafka.strimzi.io', resource: 'kafkatopics' }, namespaced: true, metric: 'topic_lag' },
      metricSelector: Selector.everything(),
      signal: new AbortController().signal,
    });
    expect(v.value).toBe(12);
    expect(v.describedObject).toEqual({ kind: 'KafkaTopic', apiVersion: 'kafka.strimzi.io/v1beta2', namespace: 'demo', name: 'orders' });
  }, 90_000);
});
