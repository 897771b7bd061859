import type { BackendMetrics, Logger } from '@custom-metrics/core';

/** A minimal recording logger + metrics for Scraper-level tests. */
export class Recorder implements BackendMetrics, Logger {
  readonly counters = new Map<string, number>();
  readonly gauges = new Map<string, number>();
  readonly logs: Array<{ level: string; obj: object | string; msg?: string }> = [];
  observeCall(): void {}
  cache(): void {}
  count(event: string, n = 1): void {
    this.counters.set(event, (this.counters.get(event) ?? 0) + n);
  }
  gauge(name: string, value: number): void {
    this.gauges.set(name, value);
  }
  c(event: string): number {
    return this.counters.get(event) ?? 0;
  }
  #log(level: string, obj: object | string, msg?: string): void {
    if (this.logs.length < 1000) this.logs.push({ level, obj, msg });
  }
  debug(obj: object | string, msg?: string): void {
    this.#log('debug', obj, msg);
  }
  info(obj: object | string, msg?: string): void {
    this.#log('info', obj, msg);
  }
  warn(obj: object | string, msg?: string): void {
    this.#log('warn', obj, msg);
  }
  error(obj: object | string, msg?: string): void {
    this.#log('error', obj, msg);
  }
}
