import { BadRequestError, parseGroupResource, routeNotFound, type BackendRoute, type BackendRouteRequest, type BackendRouteResponse } from '@custom-metrics/core';
import type { MemoryStore } from './store.js';
import { parseWriteBody } from './write-body.js';

/** The largest write request body, in bytes. */
export const MAX_WRITE_BODY_BYTES = 64 * 1024;

const SUCCESS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };

async function readBody(req: BackendRouteRequest) {
  return parseWriteBody(await req.body(MAX_WRITE_BODY_BYTES));
}

function setCustom(store: MemoryStore, args: { namespace: string; resource: string; name: string; metric: string; value: number; labels: Record<string, string> }): void {
  const groupResource = parseGroupResource(args.resource);
  try {
    store.setCustom({ groupResource, namespace: args.namespace, name: args.name, metric: args.metric, value: args.value, labels: args.labels });
  } catch (e) {
    throw new BadRequestError((e as Error).message);
  }
}

/**
 * writeRoutes is the memory backend's write endpoint (like custom-metrics-apiserver's test
 * adapter), contributed to the server under `/backends/<instance>` when `writeEndpoint.enabled`:
 * - `POST /write/namespaces/{ns}/{resource}/{name}/{metric}` (namespaced object),
 * - `POST /write/{resource}/{name}/{metric}` (cluster-scoped object),
 * - `POST /write/external/{metric}` (external series; `labels` in the body).
 * The body is a JSON quantity (`"300m"`), a number or `{"value", "labels"}`; the value goes to this
 * instance's store.
 */
export function writeRoutes(store: MemoryStore): BackendRoute[] {
  return [
    {
      method: 'POST',
      path: '/write/namespaces/:namespace/:resource/:name/:metric',
      async handle(req): Promise<BackendRouteResponse> {
        const { namespace, resource, name, metric } = req.params;
        const body = await readBody(req);
        setCustom(store, { namespace, resource, name, metric, ...body });
        return { status: 200, body: SUCCESS };
      },
    },
    {
      method: 'POST',
      path: '/write/external/:metric',
      async handle(req): Promise<BackendRouteResponse> {
        const body = await readBody(req);
        store.setExternal(req.params.metric, body.labels, body.value);
        return { status: 200, body: SUCCESS };
      },
    },
    {
      method: 'POST',
      path: '/write/:resource/:name/:metric',
      async handle(req): Promise<BackendRouteResponse> {
        const { resource, name, metric } = req.params;
        // `/write/namespaces/{ns}/{metric}` would be ambiguous with a namespaced write missing its object.
        if (resource === 'namespaces') throw routeNotFound();
        const body = await readBody(req);
        setCustom(store, { namespace: '', resource, name, metric, ...body });
        return { status: 200, body: SUCCESS };
      },
    },
  ];
}
