import type { Context } from 'koa';
import type { RequestCancellation } from '../middleware/deadline.js';
import type { KubeLookup, Logger } from '@custom-metrics/core';
import type { BackendRegistry } from '../backends/registry.js';
import type { HealthChecks } from '../observability/health.js';
import type { ServerMetrics } from '../observability/server-metrics.js';

/** What the route handlers use; built by the container (or by tests with doubles). */
export interface RouteDeps {
  readonly registry: BackendRegistry;
  readonly kube: KubeLookup;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly health: HealthChecks;
  /** The clock (metrics.k8s.io `creationTimestamp`). */
  readonly now: () => Date;
}

/** The koa state the middleware fill in and the routes read. */
export interface RequestState {
  /** Aborted at the request deadline or when the client goes away (set by the deadline middleware). */
  cancellation?: RequestCancellation;
  /** The authenticated user (set by the authentication middleware). */
  user?: { name: string; groups: readonly string[] };
}

/** A signal that is never aborted: for providers that answer from memory, and requests without a deadline. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** A request's cancellation as the routes use it: checked without its AbortSignal, which is created on first read. */
export interface Cancellation {
  readonly aborted: boolean;
  /** The AbortSignal (created now if it was not yet; already aborted if the request was). */
  readonly signal: AbortSignal;
  /** Throws the cancellation reason, as `AbortSignal.throwIfAborted`. */
  throwIfAborted(): void;
}

/** The cancellation of a request no deadline middleware ran for: never cancelled. */
const NOT_CANCELLED: Cancellation = Object.freeze({ aborted: false, signal: NEVER_ABORTED, throwIfAborted() {} });

/** The request's cancellation (set by the deadline middleware). */
export function requestCancellation(ctx: Context): Cancellation {
  return (ctx.state as RequestState).cancellation ?? NOT_CANCELLED;
}

/** The request's abort signal (a never-aborted one when no deadline middleware ran); created on first read. */
export function requestSignal(ctx: Context): AbortSignal {
  return requestCancellation(ctx).signal;
}

/**
 * The signal a provider call gets: a never-aborted one for a provider that answers from memory
 * (core's `answersFromMemory`: the caller checks the cancellation around the call instead),
 * else the request's own.
 */
export function providerSignal(provider: { readonly answersFromMemory?: boolean }, cancellation: Cancellation): AbortSignal {
  return provider.answersFromMemory === true ? NEVER_ABORTED : cancellation.signal;
}

/** Whether the request was cancelled (deadline passed, client gone), without creating its AbortSignal. */
export function requestAborted(ctx: Context): boolean {
  return (ctx.state as RequestState).cancellation?.aborted ?? false;
}

/**
 * The dependencies of one request: `deps` with the registry the request routes by (a request in
 * flight across a backend reload keeps the table it arrived on, see `SwappableRegistry`).
 */
export function requestDeps(deps: RouteDeps, ctx: Context): RouteDeps {
  const registry = deps.registry.forRequest(ctx.req);
  return registry === deps.registry ? deps : { ...deps, registry };
}
