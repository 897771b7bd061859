/**
 * QueryRefresher keeps the values of the active Datadog queries fresh with as few API calls as
 * possible, and serves HPA requests from its cache.
 *
 * - A query becomes active when a request asks for it and stays active for `activeMs` after the
 *   last request. Every `refreshMs` all active queries are fetched, grouped by time window and
 *   batched `batchSize` per call, so N queries cost ceil(N / batchSize) calls per interval.
 * - The first request for a new query triggers a fetch; new queries arriving in the same tick share
 *   one batched call, and concurrent requests for one query share its fetch.
 * - A value older than `maxAgeMs` is refused with a 503 that says how old it is.
 * - `X-RateLimit-Remaining: 0` or a 429 pauses all calls until `X-RateLimit-Reset`; 429, 5xx and
 *   network errors are retried with exponential backoff and jitter, at most `maxAttempts` times and
 *   never waiting longer than `maxDelayMs`; a 400 on a batch is bisected to isolate the bad query.
 * - Every timer is cleared and every in-flight call aborted by {@link close}.
 */
import { backendFailure, ResponseTooLargeError, ServiceUnavailableError, type BackendFailureKind, type MetricsError } from '@custom-metrics/core';
import type { BackendHealth, BackendMetrics, Logger } from '@custom-metrics/core';
import { backoffDelay } from '../client/backoff.js';
import { DatadogApiError } from '../client/datadog-client.js';
import type { SeriesValue, TimeseriesClient } from '../client/datadog-client.js';
import { pauseMs } from '../client/rate-limit.js';
import type { RateLimitInfo } from '../client/rate-limit.js';
import { raceAbort, sleep } from './sleep.js';

/** The largest `Retry-After` a Datadog 503 carries: a few seconds, well below the HPA's 15 s sync. */
export const MAX_RETRY_AFTER_SECONDS = 5;

/** Tuning of the refresher (see `ResolvedConfig`). */
export interface RefresherOptions {
  readonly refreshMs: number;
  readonly maxAgeMs: number;
  readonly activeMs: number;
  readonly batchSize: number;
  readonly timeoutMs: number;
  readonly retry: { readonly maxAttempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number };
}

/** Collaborators of the refresher. */
export interface RefresherDeps {
  readonly client: TimeseriesClient;
  readonly logger: Logger;
  readonly metrics: BackendMetrics;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** A cached answer to one query. */
export interface CachedAnswer {
  readonly series: readonly SeriesValue[];
  /** When the answer was fetched (ms since the epoch). */
  readonly fetchedAt: number;
}

interface Entry {
  readonly key: string;
  readonly query: string;
  readonly windowSeconds: number;
  lastRequested: number;
  lastAttempt: number;
  answer?: CachedAnswer;
  pending?: Promise<void>;
  /** Set when this query's own answer was past `maxResponseBytes` (the limit), until a success. */
  tooLargeLimit?: number;
  /** How this query's last fetch failed (core's failure table), until a success. */
  failureKind?: BackendFailureKind;
}

/** See the module comment. */
export class QueryRefresher {
  private readonly entries = new Map<string, Entry>();
  private readonly closing = new AbortController();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly now: () => number;
  private readonly random: () => number;
  private newQueue: Entry[] = [];
  private flush?: { promise: Promise<void>; resolve: () => void; timer?: NodeJS.Timeout };
  private loopTimer?: NodeJS.Timeout;
  private pausedUntil = 0;
  private lastFailure?: { status: number; message: string };
  private closed = false;

  constructor(
    private readonly opts: RefresherOptions,
    private readonly deps: RefresherDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  /** start begins the refresh loop (idempotent; also started by the first {@link get}). */
  start(): void {
    if (this.closed || this.loopTimer) return;
    this.loopTimer = setTimeout(() => {
      this.track(this.refreshActive()).finally(() => {
        this.loopTimer = undefined;
        this.start();
      });
    }, this.opts.refreshMs);
  }

  /**
   * get returns the cached answer to `query` over a `windowSeconds` window, fetching it first when
   * it is new. Throws per core's failure table: 500 when Datadog rejected the query, 503 when the value is too old, Datadog failed, the
   * API is rate limited before a first value exists, or `signal` aborts while waiting.
   * `maxAgeMs` replaces the configured maximum age for this request (a DatadogMetric's `spec.maxAge`).
   */
  async get(query: string, windowSeconds: number, signal: AbortSignal, maxAgeMs?: number): Promise<CachedAnswer> {
    if (this.closed) throw new ServiceUnavailableError('the Datadog backend is shutting down');
    if (signal.aborted) throw new ServiceUnavailableError('the request was cancelled');
    this.start();
    const key = `${windowSeconds}|${query}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { key, query, windowSeconds, lastRequested: 0, lastAttempt: 0 };
      this.entries.set(key, entry);
      this.deps.metrics.gauge('active_queries', this.entries.size);
    }
    const now = this.now();
    entry.lastRequested = now;
    if (entry.answer) return this.fresh(entry.answer, maxAgeMs);
    this.deps.metrics.cache('miss');
    if (!entry.pending) {
      if (now < this.pausedUntil) {
        const s = Math.ceil((this.pausedUntil - now) / 1000);
        throw new ServiceUnavailableError(`the Datadog API rate limit is exhausted; the first value of this metric will be fetched in ${s}s`, this.retryAfterSeconds());
      }
      if (entry.lastAttempt > 0 && now - entry.lastAttempt < this.opts.refreshMs) {
        if (entry.tooLargeLimit !== undefined) throw new ResponseTooLargeError(entry.tooLargeLimit);
        throw this.failure(entry);
      }
      const p = this.enqueueFirstFetch(entry);
      const e = entry;
      e.pending = p;
      void p.finally(() => {
        if (e.pending === p) e.pending = undefined;
      });
    }
    await raceAbort(entry.pending as Promise<void>, signal, () => backendFailure('timeout', 'timed out waiting for Datadog'));
    if (entry.answer) return this.fresh(entry.answer, maxAgeMs);
    if (entry.tooLargeLimit !== undefined) throw new ResponseTooLargeError(entry.tooLargeLimit);
    throw this.failure(entry);
  }

  /** The error for a query whose last fetch failed, per core's failure table (`FAILURE_STATUS`). */
  private failure(entry: Entry): MetricsError {
    switch (entry.failureKind) {
      case 'rejected':
        return backendFailure('rejected', 'Datadog rejected the metric query; check the rule\'s query (the server log has Datadog\'s answer)');
      case 'credentials':
        return backendFailure('credentials', 'Datadog refused the API or application key; check apiKey and appKey', { retryAfterSeconds: this.retryAfterSeconds() });
      case 'throttled':
        return backendFailure('throttled', 'the Datadog API rate limit is exhausted; the query is retried on the next refresh', { retryAfterSeconds: this.retryAfterSeconds() });
      default:
        return backendFailure(entry.failureKind ?? 'unreachable', 'the Datadog query failed; it is retried on the next refresh', { retryAfterSeconds: this.retryAfterSeconds() });
    }
  }

  /** activeQueries lists the queries currently refreshed. */
  activeQueries(): string[] {
    return [...this.entries.values()].map((e) => e.query);
  }

  /** health reports the last call's failure, if any. */
  health(): BackendHealth {
    if (this.closed) return { healthy: false, message: 'closed' };
    if (this.lastFailure && (this.lastFailure.status === 401 || this.lastFailure.status === 403)) {
      return { healthy: false, message: `Datadog rejected the API or application key (${this.lastFailure.status})` };
    }
    const paused = this.pausedUntil - this.now();
    if (paused > 0) return { healthy: true, message: `rate limited for ${Math.ceil(paused / 1000)}s` };
    return this.lastFailure ? { healthy: true, message: `last Datadog call failed: ${this.lastFailure.message}` } : { healthy: true };
  }

  /** close stops the loop, clears every timer and aborts in-flight calls. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    if (this.loopTimer) clearTimeout(this.loopTimer);
    this.loopTimer = undefined;
    if (this.flush) {
      if (this.flush.timer) clearTimeout(this.flush.timer);
      this.flush.resolve();
      this.flush = undefined;
    }
    await Promise.allSettled([...this.inflight]);
  }

  /**
   * The `Retry-After` of a 503: when the next refresh or the rate-limit reset is due, capped at
   * {@link MAX_RETRY_AFTER_SECONDS}. A client (kubectl, the HPA's) honours it literally, so an
   * uncapped reset (604 s seen) would stall it for minutes past the HPA's 15 s sync period.
   */
  private retryAfterSeconds(): number {
    const due = Math.ceil(Math.max(this.opts.refreshMs, this.pausedUntil - this.now()) / 1000);
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, due));
  }

  private fresh(answer: CachedAnswer, maxAgeMs = this.opts.maxAgeMs): CachedAnswer {
    const age = this.now() - answer.fetchedAt;
    if (age > maxAgeMs) {
      this.deps.metrics.cache('stale');
      throw new ServiceUnavailableError(
        `the latest Datadog value is ${Math.round(age / 1000)}s old, older than the maximum age of ${Math.round(maxAgeMs / 1000)}s ` +
          '(Datadog could not be queried since)',
        this.retryAfterSeconds(),
      );
    }
    this.deps.metrics.cache('hit');
    return answer;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  private enqueueFirstFetch(entry: Entry): Promise<void> {
    this.newQueue.push(entry);
    if (!this.flush) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      const flush: { promise: Promise<void>; resolve: () => void; timer?: NodeJS.Timeout } = { promise, resolve };
      flush.timer = setTimeout(() => {
        const batch = this.newQueue;
        this.newQueue = [];
        this.flush = undefined;
        this.track(this.fetchEntries(batch)).then(resolve, resolve);
      }, 0);
      this.flush = flush;
    }
    return this.flush.promise;
  }

  private async refreshActive(): Promise<void> {
    const now = this.now();
    for (const [key, e] of this.entries) {
      if (now - e.lastRequested > this.opts.activeMs && !e.pending) this.entries.delete(key);
    }
    this.deps.metrics.gauge('active_queries', this.entries.size);
    if (now < this.pausedUntil) {
      this.deps.logger.debug({ resumeInMs: this.pausedUntil - now }, 'datadog refresh skipped: rate limited');
      return;
    }
    await this.fetchEntries([...this.entries.values()].filter((e) => !e.pending));
  }

  private async fetchEntries(list: readonly Entry[]): Promise<void> {
    const byWindow = new Map<number, Entry[]>();
    for (const e of list) {
      const group = byWindow.get(e.windowSeconds) ?? [];
      group.push(e);
      byWindow.set(e.windowSeconds, group);
    }
    for (const group of byWindow.values()) {
      for (let i = 0; i < group.length; i += this.opts.batchSize) {
        if (this.closed) return;
        await this.fetchChunk(group.slice(i, i + this.opts.batchSize));
      }
    }
  }

  private applyRateLimit(info: RateLimitInfo, status: number): void {
    const pause = pauseMs(info, status);
    if (pause > 0) {
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + pause);
      this.deps.logger.warn({ rateLimit: info.name, resetSeconds: info.resetSeconds, status }, 'datadog rate limit reached: pausing calls');
    }
    if (info.remaining !== undefined) this.deps.metrics.gauge('rate_limit_remaining', info.remaining);
    if (status === 429) this.deps.metrics.count('rate_limited');
  }

  private async fetchChunk(chunk: readonly Entry[]): Promise<void> {
    const { retry } = this.opts;
    const queries = chunk.map((e) => e.query);
    for (let attempt = 1; ; attempt++) {
      if (this.closed) return;
      const wait = this.pausedUntil - this.now();
      if (wait > 0) {
        if (wait > retry.maxDelayMs) return this.giveUp(chunk, 'rate limited until the reset');
        await sleep(wait, this.closing.signal);
        if (this.closed) return;
      }
      const started = this.now();
      for (const e of chunk) e.lastAttempt = started;
      const signal = AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.opts.timeoutMs)]);
      try {
        const windowMs = chunk[0].windowSeconds * 1000;
        const res = await this.deps.client.queryBatch(queries, started - windowMs, started, signal);
        this.deps.metrics.observeCall('query', (this.now() - started) / 1000, 'success', queries.join('\n'));
        this.applyRateLimit(res.rateLimit, 200);
        const fetchedAt = this.now();
        chunk.forEach((e, i) => {
          e.answer = { series: res.results[i] ?? [], fetchedAt };
          e.tooLargeLimit = undefined;
          e.failureKind = undefined;
        });
        if (res.skippedPoints > 0) this.deps.metrics.count('samples_dropped_nan', res.skippedPoints);
        this.lastFailure = undefined;
        return;
      } catch (e) {
        const err = e instanceof DatadogApiError ? e : new DatadogApiError('Datadog call failed', 0, {}, true);
        this.deps.metrics.observeCall('query', (this.now() - started) / 1000, 'error', queries.join('\n'));
        this.applyRateLimit(err.rateLimit, err.status);
        this.lastFailure = { status: err.status, message: err.message };
        if (this.closed) return;
        if (err.tooLargeLimit !== undefined) {
          // A batch too large is split until the query whose own answer is too large is found.
          if (chunk.length > 1) {
            const half = Math.ceil(chunk.length / 2);
            await this.fetchChunk(chunk.slice(0, half));
            await this.fetchChunk(chunk.slice(half));
            return;
          }
          chunk[0].tooLargeLimit = err.tooLargeLimit;
          return this.giveUp(chunk, err.message);
        }
        if (err.status === 400 && chunk.length > 1) {
          const half = Math.ceil(chunk.length / 2);
          await this.fetchChunk(chunk.slice(0, half));
          await this.fetchChunk(chunk.slice(half));
          return;
        }
        if (err.status === 400) {
          chunk[0].failureKind = 'rejected';
          this.deps.logger.error({ query: chunk[0].query, error: err.message }, 'datadog rejected a query');
          return;
        }
        const kind: BackendFailureKind = err.status === 401 || err.status === 403 ? 'credentials' : err.status === 429 ? 'throttled' : 'unreachable';
        for (const c of chunk) c.failureKind = kind;
        if (!err.retryable || attempt >= retry.maxAttempts) return this.giveUp(chunk, err.message, err.status);
        const delay = Math.max(backoffDelay(attempt, retry, this.random), this.pausedUntil - this.now());
        if (delay > retry.maxDelayMs) return this.giveUp(chunk, err.message, err.status);
        this.deps.logger.debug({ attempt, delayMs: delay, status: err.status }, 'datadog call failed: retrying');
        await sleep(delay, this.closing.signal);
      }
    }
  }

  private giveUp(chunk: readonly Entry[], message: string, status?: number): void {
    const level = status === 401 || status === 403 ? 'error' : 'warn';
    this.deps.logger[level]({ queries: chunk.length, status, error: message }, 'datadog refresh failed; serving cached values until they expire');
  }
}
