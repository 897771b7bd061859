import { defineBackendPlugin, type BackendPlugin, type CustomMetricInfo, type CustomMetricsProvider, type MetricValue } from '@custom-metrics/core';

const info = (metric: string): CustomMetricInfo => ({ groupResource: { group: '', resource: 'pods' }, namespaced: true, metric });

/** A gate a test opens to let blocked provider calls finish. */
export class Gate {
  entered = 0;
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
          return new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(req.signal.reason), { once: true }));
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
