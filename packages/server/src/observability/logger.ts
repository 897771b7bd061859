import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

/** Log levels accepted by `--log-level` / `LOG_LEVEL`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

let lastSecond = -1;
let secondPrefix = '';

/**
 * isoTimestamp is pino's `stdTimeFunctions.isoTime` (`,"time":"2026-12-01T05:46:24.123Z"`) without
 * a `Date` and its formatting per line: the text up to the seconds is kept for the current second.
 */
export function isoTimestamp(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    secondPrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const ms = now - second * 1000;
  return `${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

/**
 * createLogger builds the root pino logger: JSON lines on stdout (or `destination`), at `level`.
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): PinoLogger {
  const options = { level, base: { name: 'custom-metrics-server' }, timestamp: isoTimestamp };
  return destination ? pino(options, destination) : pino(options);
}

export type { PinoLogger };
