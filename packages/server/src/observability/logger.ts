import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import sonicBoom, { type SonicBoom as SonicBoomInstance } from 'sonic-boom';

// sonic-boom is CommonJS: its constructor is the module itself (the default import).
const SonicBoom = sonicBoom as unknown as typeof SonicBoomInstance;
type SonicBoom = SonicBoomInstance;

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

/** The stdout destinations {@link stdoutDestination} made, flushed synchronously when the process exits. */
const destinations = new Set<SonicBoom>();
let exitHook = false;

/**
 * stdoutDestination is pino's default destination — asynchronous writes to fd 1 through
 * sonic-boom, flushed synchronously at exit, silent after EPIPE, or `process.stdout` itself when
 * something replaced its `write` (a test runner capturing output) — with sonic-boom in its buffer
 * mode: each line is handed to it as a Buffer. In its string mode sonic-boom measures the whole
 * pending chunk (up to 16 KiB) again for every line written while a write is in flight, which costs
 * several µs and a copy of the chunk per line at a few thousand lines a second.
 */
export function stdoutDestination(): DestinationStream {
  const stdout = process.stdout as NodeJS.WriteStream & { fd?: number; constructor: { prototype: { write: unknown } } };
  if (stdout.write !== stdout.constructor.prototype.write) return stdout;
  const boom = new SonicBoom({ fd: stdout.fd || 1, contentMode: 'buffer' });
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      // As pino: nobody reads the logs any more; stop writing them.
      destination.write = () => true;
      destinations.delete(boom);
      return;
    }
    boom.removeListener('error', onError);
    boom.emit('error', err);
  };
  boom.on('error', onError);
  destinations.add(boom);
  boom.on('close', () => destinations.delete(boom));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const d of destinations) {
        try {
          d.flushSync();
        } catch {
          // Nothing more can be done at exit.
        }
      }
    });
  }
  const destination = {
    write(line: string): boolean {
      return boom.write(Buffer.from(line) as unknown as string);
    },
    flush(cb?: (err?: Error) => void): void {
      boom.flush(cb);
    },
    flushSync(): void {
      boom.flushSync();
    },
    end(): void {
      boom.end();
    },
  };
  return destination;
}

/**
 * createLogger builds the root pino logger: JSON lines on stdout ({@link stdoutDestination}) or
 * `destination`, at `level`.
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): PinoLogger {
  const options = { level, base: { name: 'custom-metrics-server' }, timestamp: isoTimestamp };
  const logger = pino(options, destination ?? stdoutDestination());
  ownLoggers.add(logger);
  return logger;
}

/** The loggers {@link createLogger} built: no hooks, mixins, serializers or redaction, so a line can be written directly. */
const ownLoggers = new WeakSet<object>();

/** pino's info level value. */
const INFO = 30;

/**
 * infoLineWriter returns, for a logger {@link createLogger} built, a function writing one info
 * line whose fields are already serialised: `fields` is the JSON of an object's members without
 * braces (`"a":1,"b":"x"`), and the line is exactly the one `logger.info({...}, msg)` writes
 * (level, time, the logger's bindings, the fields, msg) — without pino's generic serialisation.
 * The function returns false when info is not enabled (the level may change at run time). For
 * any other logger it returns `undefined`: use the logger's own methods.
 */
export function infoLineWriter(logger: unknown): ((fields: string, msg: string) => boolean) | undefined {
  if (!ownLoggers.has(logger as object)) return undefined;
  const l = logger as PinoLogger & Record<symbol, unknown>;
  const stream = l[pino.symbols.streamSym] as { write(line: string): unknown };
  return (fields, msg) => {
    if (l.levelVal > INFO) return false;
    const chindings = l[pino.symbols.chindingsSym] as string;
    stream.write(`{"level":${INFO}${isoTimestamp()}${chindings},${fields},"msg":${JSON.stringify(msg)}}\n`);
    return true;
  };
}

export type { PinoLogger };
