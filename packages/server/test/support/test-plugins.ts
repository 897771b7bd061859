import { defineBackendPlugin, metricNotFound, type BackendPlugin, type CustomMetricInfo, type CustomMetricsProvider, type MetricValue } from '@custom-metrics/core';

const info = (metric: string): CustomMetricInfo => ({ groupResource: { group: '', resource: 'pods' }, namespaced: true, metric });

/** A gate a test opens to let blocked provider calls finish. */
export class Gate {
  entered = 0;
  slowEntered = 0;
  aborted = 0;
  #open!: () => void;
  readonly opened: Promise<void> = new Promise((resolve) => (this.#open = resolve));
  open(): void {
    this.#open();
  }
}

/**
 * Misbehaving providers for robustness tests: `boom` throws a detailed error, `slow` waits for
 * the abort signal, `stubborn` ignores the signal and answers after 1.5 s, `gated` waits for
 * `gate` to open.
 */
export function misbehavingPlugin(gate: Gate): BackendPlugin {
  const provider: CustomMetricsProvider = {
    listAllMetrics: () => [info('boom'), info('slow'), info('stubborn'), info('gated')],
    async getMetricByName() {
      throw new Error('not used');
    },
    async getMetricBySelector(req): Promise<MetricValue[]> {
      switch (req.info.metric) {
        case 'boom':
          throw new Error('connection refused to secret-host.internal:9090 with token abc123');
        case 'slow':
          gate.slowEntered++;
          return new Promise((_, reject) =>
            req.signal.addEventListener(
              'abort',
              () => {
                gate.aborted++;
                reject(req.signal.reason);
              },
              { once: true },
            ),
          );
        case 'stubborn':
          await new Promise((resolve) => setTimeout(resolve, 1500));
          return [];
        default:
          gate.entered++;
          await gate.opened;
          return [];
      }
    },
  };
  return defineBackendPlugin({ name: 'misbehaving', configSchema: { type: 'object' }, create: () => ({ custom: provider }) }) as BackendPlugin;
}

/** A plugin that lists nothing but answers `hidden` on demand (and 404 for anything else). */
export const onDemandPlugin: BackendPlugin = defineBackendPlugin({
  name: 'on-demand',
  configSchema: { type: 'object' },
  create: () => ({
    custom: {
      listAllMetrics: () => [],
      async getMetricByName(req) {
        throw metricNotFound(req.info.groupResource, req.info.metric);
      },
      async getMetricBySelector(req) {
        if (req.info.metric !== 'hidden') throw metricNotFound(req.info.groupResource, req.info.metric);
        return [
          {
            describedObject: { kind: 'Pod', namespace: req.namespace, name: 'p', apiVersion: '/v1' },
            metric: { name: 'hidden', selector: null },
            timestamp: new Date('2026-01-15T10:20:30Z'),
            value: 2,
          },
        ];
      },
    },
  }),
}) as BackendPlugin;

/**
 * A plugin whose custom and external providers declare `answersFromMemory` and record the signal
 * of every call (`signals`): `held` waits for `gate` to open, anything else answers at once.
 */
export function fromMemoryPlugin(gate: Gate, signals: AbortSignal[]): BackendPlugin {
  const value = (name: string, namespace: string): MetricValue => ({
    describedObject: { kind: 'Pod', namespace, name: 'p', apiVersion: '/v1' },
    metric: { name, selector: null },
    timestamp: new Date('2026-01-15T10:20:30Z'),
    value: 1,
  });
  return defineBackendPlugin({
    name: 'from-memory',
    configSchema: { type: 'object' },
    create: () => ({
      custom: {
        answersFromMemory: true,
        listAllMetrics: () => [info('now'), info('held')],
        async getMetricByName(req) {
          signals.push(req.signal);
          req.signal.throwIfAborted();
          return value(req.info.metric, req.namespace);
        },
        async getMetricBySelector(req) {
          signals.push(req.signal);
          req.signal.throwIfAborted();
          if (req.info.metric === 'held') {
            gate.entered++;
            await gate.opened;
          }
          return [value(req.info.metric, req.namespace)];
        },
      },
      external: {
        answersFromMemory: true,
        listAllExternalMetrics: () => [{ metric: 'queue' }],
        async getExternalMetric(req) {
          signals.push(req.signal);
          req.signal.throwIfAborted();
          return [{ metricName: 'queue', metricLabels: {}, timestamp: new Date('2026-01-15T10:20:30Z'), value: 3 }];
        },
      },
    }),
  }) as BackendPlugin;
}
