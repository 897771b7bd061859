import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

/** Log levels accepted by `--log-level` / `LOG_LEVEL`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * createLogger builds the root pino logger: JSON lines on stdout (or `destination`), at `level`.
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): PinoLogger {
  const options = { level, base: { name: 'custom-metrics-server' }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}

export type { PinoLogger };
