import type { DemoApp } from './demo-app.js';

/** The demo namespace. */
export const DEMO_NAMESPACE = 'demo';

/** Options of {@link demoServerConfig}. */
export interface DemoConfigOptions {
  apps: readonly DemoApp[];
  port: number;
  clientCaFile: string;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  /** Scrape interval. Default `2s`. */
  scrapeInterval?: string;
}

/**
 * demoServerConfig builds the server configuration of the demo: standalone (no cluster), listening
 * on 127.0.0.1, one `scrape` backend scraping the demo apps as pods of namespace `demo`, serving
 * `http_requests_per_second` (rate over 20 s) and `queue_depth` (last) for pods, and
 * `demo_queue_depth` (max over 20 s) as an external metric.
 */
export function demoServerConfig(o: DemoConfigOptions): Record<string, unknown> {
  const labels = { app: 'demo' };
  return {
    server: {
      securePort: o.port,
      bindAddress: '127.0.0.1',
      tlsCertFile: o.tlsCertFile,
      tlsPrivateKeyFile: o.tlsPrivateKeyFile,
      clientCaFile: o.clientCaFile,
      standalone: true,
      logLevel: 'info',
      shutdownTimeoutSeconds: 5,
    },
    backends: [
      {
        name: 'demo-scrape',
        type: 'scrape',
        config: {
          objects: 'targets',
          interval: o.scrapeInterval ?? '2s',
          timeout: '1s',
          targets: o.apps.map((a) => ({ url: a.metricsUrl, pod: a.name, namespace: DEMO_NAMESPACE, labels })),
          rules: [
            { metric: 'http_requests_per_second', series: 'http_requests_total', function: 'rate', window: '20s' },
            { metric: 'http_errors_per_second', series: 'http_requests_total', function: 'rate', window: '20s', match: 'code=500' },
            { metric: 'queue_depth', series: 'queue_depth', function: 'last' },
            { metric: 'demo_queue_depth', series: 'queue_depth', function: 'max', window: '20s', kind: 'external' },
          ],
        },
      },
    ],
    standalone: {
      objects: [
        { resource: 'namespaces', name: DEMO_NAMESPACE },
        ...o.apps.map((a) => ({ resource: 'pods', name: a.name, namespace: DEMO_NAMESPACE, labels, podIP: '127.0.0.1', phase: 'Running' })),
      ],
    },
  };
}

/** The kubectl commands the demo prints, for a kubeconfig path. */
export function demoCommands(kubeconfig: string): Array<{ what: string; command: string }> {
  const k = `kubectl --kubeconfig ${kubeconfig} get --raw`;
  const ns = DEMO_NAMESPACE;
  return [
    { what: 'requests per second of each demo pod', command: `${k} '/apis/custom.metrics.k8s.io/v1beta2/namespaces/${ns}/pods/*/http_requests_per_second'` },
    { what: 'errors per second (HTTP 500) of pods labelled app=demo', command: `${k} '/apis/custom.metrics.k8s.io/v1beta2/namespaces/${ns}/pods/*/http_errors_per_second?labelSelector=app%3Ddemo'` },
    { what: 'queue depth of one pod (v1beta1)', command: `${k} '/apis/custom.metrics.k8s.io/v1beta1/namespaces/${ns}/pods/demo-app-1/queue_depth'` },
    { what: 'the same queues as an external metric', command: `${k} '/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns}/demo_queue_depth'` },
    { what: 'discovery: which custom metrics exist', command: `${k} '/apis/custom.metrics.k8s.io/v1beta2'` },
  ];
}
