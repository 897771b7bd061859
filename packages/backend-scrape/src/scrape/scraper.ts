import type { BackendMetrics, Logger } from '@custom-metrics/core';
import type { ResolvedTarget } from '../config.js';
import { parseExposition } from '../parse/exposition-parser.js';
import { ExpositionParseError } from '../parse/parse-error.js';
import type { ParsedSample } from '../parse/sample.js';
import type { IngestSample, SeriesStore } from '../window/series-store.js';
import { fetchMetrics, ScrapeError } from './fetch-metrics.js';
import { Semaphore } from './semaphore.js';

/** Options of {@link Scraper}. */
export interface ScraperOptions {
  store: SeriesStore;
  logger: Logger;
  metrics: BackendMetrics;
  maxConcurrent: number;
  maxResponseBytes: number;
  maxSamplesPerScrape: number;
  maxLineLength: number;
  /** Accept any certificate from https targets. Default false. */
  insecureSkipVerify?: boolean;
  /** Clock; default Date.now. */
  now?: () => number;
}

/** The state of one target, for health and debugging. */
export interface TargetState {
  readonly target: ResolvedTarget;
  lastScrapeMs?: number;
  lastError?: string;
  /** Consecutive failures. */
  failures: number;
}

interface Running {
  state: TargetState;
  timer?: ReturnType<typeof setTimeout>;
  abort: AbortController;
}

/**
 * mergeLabels attaches a target's labels to a scraped series. On a clash the target's label wins
 * and the exposed one is kept as `exported_<name>`, as Prometheus does with `honor_labels: false`.
 */
export function mergeLabels(exposed: Readonly<Record<string, string>>, target: Readonly<Record<string, string>>): Record<string, string> {
  // fromEntries defines own properties, so a hostile `__proto__` label stays a plain label.
  const has = (k: string) => Object.prototype.hasOwnProperty.call(target, k);
  return Object.fromEntries([...Object.entries(exposed).map(([k, v]) => [has(k) ? `exported_${k}` : k, v]), ...Object.entries(target)]);
}

/**
 * Scraper scrapes a changing set of targets, each on its own interval, at most `maxConcurrent` at
 * once, and writes the samples into the {@link SeriesStore}. Failures are logged at debug, counted
 * through `metrics` (`scrape_errors`, `scrape_errors_<kind>`) and never thrown.
 */
export class Scraper {
  readonly #running = new Map<string, Running>();
  readonly #sem: Semaphore;
  readonly #now: () => number;
  #closed = false;
  #limitWarnedMs = -Infinity;

  constructor(readonly options: ScraperOptions) {
    this.#sem = new Semaphore(options.maxConcurrent);
    this.#now = options.now ?? Date.now;
  }

  /** Replaces the target set: new targets start now, removed ones stop. */
  setTargets(targets: readonly ResolvedTarget[]): void {
    if (this.#closed) return;
    const wanted = new Map(targets.map((t) => [t.key, t]));
    for (const [key, r] of this.#running) {
      if (wanted.has(key)) continue;
      clearTimeout(r.timer);
      r.abort.abort();
      this.#running.delete(key);
    }
    for (const [key, t] of wanted) {
      if (this.#running.has(key)) continue;
      const r: Running = { state: { target: t, failures: 0 }, abort: new AbortController() };
      this.#running.set(key, r);
      this.#schedule(r, 0);
    }
    this.options.metrics.gauge('targets', this.#running.size);
  }

  /** The current targets and their last outcome. */
  targets(): TargetState[] {
    return [...this.#running.values()].map((r) => r.state);
  }

  /** Scrapes one target now and ingests the result; resolves even on failure (false). */
  async scrapeOnce(target: ResolvedTarget, signal?: AbortSignal, state?: TargetState): Promise<boolean> {
    const started = performance.now();
    // Samples are stamped with the time the request was sent, as Prometheus does.
    let sentMs = this.#now();
    try {
      const res = await this.#sem.run(() => {
        sentMs = this.#now();
        return fetchMetrics(target.url, {
          timeoutMs: target.timeoutMs,
          maxBytes: this.options.maxResponseBytes,
          signal,
          insecureSkipVerify: this.options.insecureSkipVerify,
        });
      });
      let samples: ParsedSample[];
      try {
        samples = parseExposition(res.body, {
          contentType: res.contentType,
          maxSamples: this.options.maxSamplesPerScrape,
          maxLineLength: this.options.maxLineLength,
        }).samples;
      } catch (e) {
        if (e instanceof ExpositionParseError) throw new ScrapeError('parse', e.message);
        throw e;
      }
      this.#ingest(target, samples, sentMs);
      this.options.metrics.observeCall('scrape', (performance.now() - started) / 1000, 'success');
      if (state) {
        state.lastScrapeMs = this.#now();
        state.failures = 0;
        delete state.lastError;
      }
      return true;
    } catch (e) {
      const kind = e instanceof ScrapeError ? e.kind : 'connection';
      if (kind === 'aborted') return false;
      this.options.metrics.observeCall('scrape', (performance.now() - started) / 1000, 'error');
      this.options.metrics.count('scrape_errors');
      this.options.metrics.count(`scrape_errors_${kind}`);
      const message = e instanceof Error ? e.message : String(e);
      this.options.logger.debug({ target: target.url, kind, err: message }, 'scrape failed');
      if (state) {
        state.lastError = `${kind}: ${message}`;
        state.failures++;
      }
      return false;
    }
  }

  /** Stops every target and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const r of this.#running.values()) {
      clearTimeout(r.timer);
      r.abort.abort();
    }
    this.#running.clear();
  }

  #schedule(r: Running, delayMs: number): void {
    if (this.#closed || r.abort.signal.aborted) return;
    r.timer = setTimeout(() => {
      const begun = this.#now();
      void this.scrapeOnce(r.state.target, r.abort.signal, r.state).then(() => {
        const elapsed = this.#now() - begun;
        this.#schedule(r, Math.max(0, r.state.target.intervalMs - elapsed));
      });
    }, delayMs);
    r.timer.unref?.();
  }

  #ingest(target: ResolvedTarget, samples: readonly ParsedSample[], seen: number): void {
    const batch: IngestSample[] = samples.map((s) => ({
      name: s.name,
      labels: mergeLabels(s.labels, target.labels),
      value: s.value,
      tMs: s.timestampMs ?? seen,
    }));
    const r = this.options.store.ingest(target.key, batch, seen, target.intervalMs);
    const m = this.options.metrics;
    if (r.nonFinite > 0) m.count('samples_dropped_nan', r.nonFinite);
    if (r.overLimit > 0) {
      m.count('series_limit_exceeded', r.overLimit);
      if (seen - this.#limitWarnedMs >= 60_000) {
        this.#limitWarnedMs = seen;
        this.options.logger.warn(
          { target: target.url, refused: r.overLimit, maxSeries: this.options.store.options.maxSeries },
          'series limit reached: new series are dropped (raise maxSeries or narrow the rules)',
        );
      }
    }
    m.gauge('series', this.options.store.size);
  }
}
