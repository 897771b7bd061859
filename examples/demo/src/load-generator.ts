import { request } from 'node:http';
import { DEMO_PATHS } from './demo-app.js';

/** Options of {@link startLoadGenerator}. */
export interface LoadOptions {
  /** Base URLs of the app instances (loopback only). */
  targets: readonly string[];
  /** Requests per second per target at the quietest moment. Default 2. */
  minRps?: number;
  /** Requests per second per target at the peak. Default 20. */
  maxRps?: number;
  /** Length of one rise-and-fall cycle in seconds. Default 60. */
  periodSeconds?: number;
}

/** A running load generator. */
export interface LoadGenerator {
  /** The current target rate per instance. */
  currentRps(): number;
  stop(): void;
}

/**
 * startLoadGenerator sends requests to the demo apps at a rate that rises and falls (a sine wave
 * between `minRps` and `maxRps`, each instance with its own phase). Every tick is bounded: at most
 * `maxRps / 10` requests per instance per 100 ms, and at most 50 requests in flight per instance.
 */
export function startLoadGenerator(options: LoadOptions): LoadGenerator {
  const min = options.minRps ?? 2;
  const max = Math.max(min, options.maxRps ?? 20);
  const period = (options.periodSeconds ?? 60) * 1000;
  const started = Date.now();
  const credit = options.targets.map(() => 0);
  const inFlight = options.targets.map(() => 0);
  let tick = 0;
  const rpsAt = (i: number) => {
    // Instance i starts a quarter cycle after instance i-1; the first starts half-way up.
    const phase = (2 * Math.PI * (Date.now() - started)) / period + (i + 1) * (Math.PI / 2);
    return min + ((max - min) * (1 - Math.cos(phase))) / 2;
  };
  const timer = setInterval(() => {
    tick++;
    options.targets.forEach((base, i) => {
      credit[i] = Math.min(credit[i] + rpsAt(i) / 10, max / 10 + 1);
      while (credit[i] >= 1 && inFlight[i] < 50) {
        credit[i] -= 1;
        inFlight[i]++;
        const path = DEMO_PATHS[(tick + i + Math.floor(credit[i] * 7)) % DEMO_PATHS.length];
        const req = request(`${base}${path}`, { method: 'GET', agent: false, timeout: 2000 }, (res) => {
          res.resume();
          res.on('end', () => inFlight[i]--);
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => inFlight[i]--);
        req.end();
      }
    });
  }, 100);
  timer.unref();
  return { currentRps: () => rpsAt(0), stop: () => clearInterval(timer) };
}
