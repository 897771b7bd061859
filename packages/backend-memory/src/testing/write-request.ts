// A BackendRouteRequest for calling the write routes' handlers directly, without a server.
import { BadRequestError, type BackendRouteRequest } from '@custom-metrics/core';

/** Options of {@link writeRouteRequest}. */
export interface WriteRouteRequestOptions {
  /** The authenticated user (default `test-writer`, no groups). */
  readonly user?: { readonly name: string; readonly groups: readonly string[] };
  /** The request's signal (default: never aborted). */
  readonly signal?: AbortSignal;
}

/**
 * writeRouteRequest builds the request a write route's `handle` receives: `params` as the server
 * decodes them from the path (`{ namespace, resource, name, metric }`) and `body` as the request
 * text. Like the server, `body(limitBytes)` refuses a body larger than the route's limit with a
 * 400 naming it.
 */
export function writeRouteRequest(params: Readonly<Record<string, string>>, body: string, options: WriteRouteRequestOptions = {}): BackendRouteRequest {
  return {
    params: { ...params },
    query: {},
    user: options.user ?? { name: 'test-writer', groups: [] },
    signal: options.signal ?? new AbortController().signal,
    body: async (limitBytes: number) => {
      if (Buffer.byteLength(body, 'utf8') > limitBytes) throw new BadRequestError(`request body is larger than ${limitBytes} bytes`);
      return body;
    },
  };
}
