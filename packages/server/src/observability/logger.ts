import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import sonicBoom, { type SonicBoom as SonicBoomInstance } from 'sonic-boom';

// sonic-boom is CommonJS: its constructor is the module itself (the default import).
const SonicBoom = sonicBoom as unknown as typeof SonicBoomInstance;

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
 * How long a line may wait for others before the pending lines are handed to sonic-boom, and how
 * many characters hand them over at once: one write per 16 KiB or per 20 ms under load, instead
 * of one per event-loop turn, each of which costs a thread-pool write and its completion.
 */
const HAND_OVER_MS = 20;
const HAND_OVER_CHARS = 16 * 1024;

/** The pending lines of each stdout destination, written synchronously when the process exits. */
const exitFlushes = new Set<() => void>();
let exitHook = false;

/**
 * stdoutDestination is pino's default destination — asynchronous writes to fd 1 through
 * sonic-boom, flushed synchronously at exit, silent after EPIPE, or `process.stdout` itself when
 * something replaced its `write` (a test runner capturing output) — with the lines of up to 20 ms
 * (or 16 KiB) handed to sonic-boom together, as one Buffer (its buffer mode). In its string
 * mode sonic-boom measures the whole pending chunk (up to 16 KiB) again for every line written
 * while a write is in flight, which costs several µs and a copy of the chunk per line at a few
 * thousand lines a second.
 */
export function stdoutDestination(): DestinationStream {
  const stdout = process.stdout as NodeJS.WriteStream & { fd?: number; constructor: { prototype: { write: unknown } } };
  if (stdout.write !== stdout.constructor.prototype.write) return stdout;
  const boom = new SonicBoom({ fd: stdout.fd || 1, contentMode: 'buffer' });
  let pending: string[] = [];
  let pendingChars = 0;
  let timer: NodeJS.Timeout | undefined;
  let broken = false;
  const handOver = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.length === 0 || broken) return;
    const lines = pending;
    pending = [];
    pendingChars = 0;
    boom.write(Buffer.from(lines.length === 1 ? lines[0] : lines.join('')) as unknown as string);
  };
  const flushAtExit = () => {
    handOver();
    try {
      boom.flushSync();
    } catch {
      // Nothing more can be done at exit.
    }
  };
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      // As pino: nobody reads the logs any more; stop writing them.
      broken = true;
      pending = [];
      exitFlushes.delete(flushAtExit);
      return;
    }
    boom.removeListener('error', onError);
    boom.emit('error', err);
  };
  boom.on('error', onError);
  exitFlushes.add(flushAtExit);
  boom.on('close', () => exitFlushes.delete(flushAtExit));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const flush of exitFlushes) flush();
    });
  }
  return {
    write(line: string): boolean {
      if (broken) return true;
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= HAND_OVER_CHARS) handOver();
      else if (timer === undefined) {
        timer = setTimeout(handOver, HAND_OVER_MS);
        // Lines never keep the process alive; the exit hook writes what is pending.
        timer.unref();
      }
      return true;
    },
    flush(cb?: (err?: Error) => void): void {
      handOver();
      boom.flush(cb);
    },
    flushSync(): void {
      handOver();
      boom.flushSync();
    },
    end(): void {
      handOver();
      boom.end();
    },
  } as DestinationStream;
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
  let lastMsg: string | undefined;
  let msgTail = '';
  return (fields, msg) => {
    if (l.levelVal > INFO) return false;
    const chindings = l[pino.symbols.chindingsSym] as string;
    if (msg !== lastMsg) {
      lastMsg = msg;
      msgTail = `,"msg":${JSON.stringify(msg)}}\n`;
    }
    stream.write(`{"level":${INFO}${isoTimestamp()}${chindings},${fields}${msgTail}`);
    return true;
  };
}

export type { PinoLogger };
