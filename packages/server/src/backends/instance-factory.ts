import { inject, injectable } from 'tsyringe';
import type { BackendContext, BackendInstance, BackendPlugin } from '@custom-metrics/core';
import { BACKEND_CONTEXT } from '../tokens.js';

/**
 * BackendInstanceFactory creates one backend instance; it is resolved from the instance's child
 * container, where {@link BACKEND_CONTEXT} is that instance's context.
 */
@injectable()
export class BackendInstanceFactory {
  constructor(@inject(BACKEND_CONTEXT) private readonly context: BackendContext) {}

  /** Calls the plugin's `create` with this instance's context and its validated config. */
  async create(plugin: BackendPlugin, config: Record<string, unknown>): Promise<BackendInstance> {
    return plugin.create(this.context, config);
  }
}
