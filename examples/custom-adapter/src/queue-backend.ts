import { readFile } from 'node:fs/promises';
import { defineBackendPlugin, InternalError, metricNotFoundFor, NotFoundError } from '@custom-metrics/core';
import type { BackendPlugin, CustomMetricInfo, ExternalMetricValue } from '@custom-metrics/core';

/** Where the queue lengths come from: a JSON file `{"<queue>": <length>, ...}`, re-read on every request. */
export interface QueueBackendConfig {
  file: string;
}

const NAMESPACES: CustomMetricInfo = { groupResource: { group: '', resource: 'namespaces' }, namespaced: false, metric: 'queue_length' };

/**
 * queueBackend serves `queue_length` as an external metric (one series per queue, labelled
 * `{queue}`, picked by the metric selector) and as a custom metric on namespaces (the queue
 * named like the namespace), reading `config.file` on each request.
 */
export const queueBackend: BackendPlugin<QueueBackendConfig> = defineBackendPlugin<QueueBackendConfig>({
  name: 'queue-file',
  configSchema: { type: 'object', required: ['file'], additionalProperties: false, properties: { file: { type: 'string', minLength: 1 } } },
  create(ctx, { file }) {
    const read = async (signal: AbortSignal): Promise<Map<string, number>> => {
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(file, { encoding: 'utf8', signal }));
      } catch (e) {
        ctx.logger.warn({ err: (e as Error).message }, 'cannot read the queue file');
        throw new InternalError('the queue lengths are unavailable');
      }
      const queues = new Map<string, number>();
      if (typeof doc === 'object' && doc !== null) {
        for (const [queue, n] of Object.entries(doc)) if (typeof n === 'number' && Number.isFinite(n)) queues.set(queue, n);
      }
      return queues;
    };
    return {
      external: {
        listAllExternalMetrics: () => [{ metric: 'queue_length' }],
        async getExternalMetric({ info, metricSelector, signal }) {
          if (info.metric.toLowerCase() !== 'queue_length') throw new NotFoundError(`no external metric ${info.metric}`);
          const items: ExternalMetricValue[] = [];
          for (const [queue, value] of await read(signal)) {
            if (metricSelector.matches({ queue })) items.push({ metricName: 'queue_length', metricLabels: { queue }, timestamp: new Date(), value });
          }
          return items;
        },
      },
      custom: {
        listAllMetrics: () => [NAMESPACES],
        async getMetricByName({ name, info, signal }) {
          const value = (await read(signal)).get(name);
          if (info.metric !== 'queue_length' || info.groupResource.resource !== 'namespaces' || value === undefined) throw metricNotFoundFor(info.groupResource, info.metric, name);
          return { describedObject: { kind: 'Namespace', name, apiVersion: '/v1' }, metric: { name: 'queue_length', selector: null }, timestamp: new Date(), value };
        },
        async getMetricBySelector({ selector, info, signal }) {
          const namespaces = await ctx.kube.listObjects({ group: '', resource: 'namespaces' }, '', selector);
          const queues = await read(signal);
          return namespaces
            .filter((ns) => queues.has(ns.name))
            .map((ns) => ({ describedObject: { kind: 'Namespace', name: ns.name, uid: ns.uid, apiVersion: '/v1' }, metric: { name: info.metric, selector: null }, timestamp: new Date(), value: queues.get(ns.name)! }));
        },
      },
    };
  },
});

export default queueBackend;
