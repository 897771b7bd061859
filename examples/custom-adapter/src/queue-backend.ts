import { readFile } from 'node:fs/promises';
import { defineBackendPlugin, metricNotFoundFor, NotFoundError } from '@custom-metrics/core';
import type { BackendPlugin, CustomMetricInfo } from '@custom-metrics/core';

/** Where the queue length comes from: a file holding one number (re-read on every request). */
export interface QueueBackendConfig {
  file: string;
}

const NAMESPACES: CustomMetricInfo = { groupResource: { group: '', resource: 'namespaces' }, namespaced: false, metric: 'queue_length' };

/**
 * queueBackend serves `queue_length` as an external metric and as a custom metric on every
 * namespace, reading the number from `config.file` on each request.
 */
export const queueBackend: BackendPlugin<QueueBackendConfig> = defineBackendPlugin<QueueBackendConfig>({
  name: 'queue-file',
  configSchema: { type: 'object', required: ['file'], additionalProperties: false, properties: { file: { type: 'string', minLength: 1 } } },
  create(ctx, { file }) {
    const read = async (signal: AbortSignal): Promise<number> => {
      const n = Number((await readFile(file, { encoding: 'utf8', signal })).trim());
      if (!Number.isFinite(n)) throw new NotFoundError(`queue length file does not hold a number`);
      return n;
    };
    return {
      external: {
        listAllExternalMetrics: () => [{ metric: 'queue_length' }],
        async getExternalMetric({ info, signal }) {
          if (info.metric.toLowerCase() !== 'queue_length') throw new NotFoundError(`no external metric ${info.metric}`);
          return [{ metricName: 'queue_length', metricLabels: { file }, timestamp: new Date(), value: await read(signal) }];
        },
      },
      custom: {
        listAllMetrics: () => [NAMESPACES],
        async getMetricByName({ name, info, signal }) {
          if (info.metric !== 'queue_length' || info.groupResource.resource !== 'namespaces') throw metricNotFoundFor(info.groupResource, info.metric, name);
          const value = await read(signal);
          return { describedObject: { kind: 'Namespace', name, apiVersion: '/v1' }, metric: { name: 'queue_length', selector: null }, timestamp: new Date(), value };
        },
        async getMetricBySelector({ selector, info, signal }) {
          const namespaces = await ctx.kube.listObjects({ group: '', resource: 'namespaces' }, '', selector);
          const value = await read(signal);
          return namespaces.map((ns) => ({ describedObject: { kind: 'Namespace', name: ns.name, uid: ns.uid, apiVersion: '/v1' }, metric: { name: info.metric, selector: null }, timestamp: new Date(), value }));
        },
      },
    };
  },
});

export default queueBackend;
