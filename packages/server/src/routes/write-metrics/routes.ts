import type { Context, Middleware } from 'koa';
import { BadRequestError, MethodNotAllowedError, parseGroupResource, UnauthorizedError, type GroupResource } from '@custom-metrics/core';
import { isMemoryBackendInstance, type MemoryBackendInstance } from '../../backends/memory/plugin.js';
import type { BackendRegistry } from '../../backends/registry.js';
import type { RequestState } from '../deps.js';
import { sendDocument } from '../respond.js';
import { pathSegments, routeNotFound } from '../request.js';
import { readWriteBody } from './body.js';

/** The path prefix of the memory backend's write endpoint. */
export const WRITE_PREFIX = '/write-metrics';

type WriteTarget =
  | { kind: 'custom'; groupResource: GroupResource; namespace: string; name: string; metric: string }
  | { kind: 'external'; metric: string };

/** Maps the segments after `/write-metrics/` to a target; other shapes are 404. */
export function parseWritePath(seg: readonly string[]): WriteTarget {
  if (seg.length === 5 && seg[0] === 'namespaces') {
    return { kind: 'custom', namespace: seg[1], groupResource: parseGroupResource(seg[2]), name: seg[3], metric: seg[4] };
  }
  if (seg.length === 3 && seg[0] !== 'namespaces') return { kind: 'custom', namespace: '', groupResource: parseGroupResource(seg[0]), name: seg[1], metric: seg[2] };
  if (seg.length === 2 && seg[0] === 'external') return { kind: 'external', metric: seg[1] };
  throw routeNotFound();
}

const SUCCESS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };

/**
 * writeMetricsHandler is the memory backend's write endpoint (like custom-metrics-apiserver's test
 * adapter), served only when a memory instance enables `writeEndpoint`:
 * - `POST /write-metrics/namespaces/{ns}/{resource}/{name}/{metric}` (namespaced object),
 * - `POST /write-metrics/{resource}/{name}/{metric}` (cluster-scoped object),
 * - `POST /write-metrics/external/{metric}` (external series; `labels` in the body).
 * The body is a JSON quantity (`"300m"`), a number or `{"value", "labels"}`. Anonymous requests
 * are refused (401); authorization applies as for any non-resource path. The value goes to the
 * memory instance already serving the metric, else to the first with writes enabled.
 */
export function writeMetricsHandler(registry: BackendRegistry): Middleware {
  return async function writeMetrics(ctx: Context) {
    const writable = registry.backends.filter((b) => isMemoryBackendInstance(b.instance) && b.instance.writeEnabled);
    if (writable.length === 0) throw routeNotFound();
    const target = parseWritePath(pathSegments(ctx.path, WRITE_PREFIX));
    if (ctx.method !== 'POST') throw new MethodNotAllowedError();
    const user = (ctx.state as RequestState).user;
    if (!user || user.name === 'system:anonymous') throw new UnauthorizedError();
    const body = await readWriteBody(ctx);
    let instance: MemoryBackendInstance | undefined;
    if (target.kind === 'custom') {
      const routed = registry.customFor(target.groupResource, target.metric);
      instance = writable.map((b) => b.instance as MemoryBackendInstance).find((i) => routed && i === routed.backend.instance) ?? (writable[0].instance as MemoryBackendInstance);
      try {
        instance.store.setCustom({ ...target, value: body.value, labels: body.labels });
      } catch (e) {
        throw new BadRequestError((e as Error).message);
      }
    } else {
      const routed = registry.externalFor(target.metric);
      instance = writable.map((b) => b.instance as MemoryBackendInstance).find((i) => routed && i === routed.backend.instance) ?? (writable[0].instance as MemoryBackendInstance);
      instance.store.setExternal(target.metric, body.labels, body.value);
    }
    registry.invalidate();
    sendDocument(ctx, SUCCESS);
  };
}
