import type { BackendContext, KubeLookup, Logger } from '@custom-metrics/core';
import type { ServerMetrics } from '../observability/server-metrics.js';

/** What {@link createBackendContext} needs from the server. */
export interface BackendContextDeps {
  instanceName: string;
  logger: Logger & { child?(bindings: Record<string, unknown>): Logger };
  metrics: ServerMetrics;
  kube: KubeLookup;
  signal: AbortSignal;
}

/**
 * createBackendContext gives one backend instance its view of the server: a logger child
 * bound to the instance name, a metrics recorder labelled by instance, the KubeLookup and the
 * shutdown signal.
 */
export function createBackendContext(deps: BackendContextDeps): BackendContext {
  const logger = deps.logger.child ? deps.logger.child({ backend: deps.instanceName }) : deps.logger;
  return {
    instanceName: deps.instanceName,
    kube: deps.kube,
    logger,
    metrics: deps.metrics.forBackend(deps.instanceName),
    signal: deps.signal,
  };
}
