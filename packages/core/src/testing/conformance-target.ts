import type { ConformanceData, ConformanceEnv, ConformanceTarget } from './conformance-data.js';
import { fakeBackendContext } from './fake-context.js';
import { FakeKubeLookup } from './fake-kube.js';

/**
 * withTarget builds one case's world (a FakeKubeLookup over `data.objects`, a backend context),
 * asks `setup` for the provider, seeds it, runs `fn`, and always releases what setup made.
 */
export function withTarget<P>(
  setup: (env: ConformanceEnv) => Promise<ConformanceTarget<P>>,
  data: ConformanceData,
  fn: (provider: P, target: ConformanceTarget<P>) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const kube = new FakeKubeLookup({ objects: data.objects });
    const context = fakeBackendContext({ kube });
    const target = await setup({ kube, context, data });
    try {
      await target.seed(data);
      await fn(target.provider, target);
    } finally {
      await target.cleanup?.();
      context.shutdown();
    }
  };
}
