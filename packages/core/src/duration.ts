import { ConfigError } from './config-error.js';

/**
 * Durations in configs are Go `time.ParseDuration` strings: a sequence of decimal numbers with a
 * unit each, e.g. `30s`, `1m30s`, `500ms`, `1.5h`. Units: `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`,
 * plus `d` (24h, as Prometheus accepts it). A bare `0` is zero. No sign: config durations are never negative.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;

/** The JSON-schema pattern of a duration string (matches exactly what {@link parseDuration} accepts). */
export const DURATION_PATTERN = '^(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h|d))+)$';

/**
 * The JSON-schema fragment for a duration field; spread it into a plugin's `configSchema`
 * (`timeout: DURATION_SCHEMA`). Combine with {@link parseDuration} to get milliseconds.
 */
export const DURATION_SCHEMA: Readonly<{ type: 'string'; pattern: string; description: string }> = Object.freeze({
  type: 'string',
  pattern: DURATION_PATTERN,
  description: 'a Go-style duration such as 30s, 1m30s or 500ms',
});

/**
 * parseDuration reads a Go-style duration (`30s`, `1m30s`, `500ms`) and returns milliseconds
 * (fractional below 1ms).
 * @throws {ConfigError} at `path` when `text` is not a duration, naming what was written and an example.
 */
export function parseDuration(text: string, path = ''): number {
  const bad = () => new ConfigError(path, `${JSON.stringify(text)} is not a duration; write a Go-style duration such as 30s, 1m30s or 500ms`);
  if (typeof text !== 'string') throw bad();
  if (text === '0') return 0;
  if (text === '') throw bad();
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const m = PART.exec(text);
    if (m === null || m.index !== at) throw bad();
    total += Number(m[1]) * (UNIT_MS[m[2]] as number);
  }
  if (!Number.isFinite(total)) throw bad();
  return total;
}

/** A deprecated config field that still sets a duration: a number in `unit` (e.g. `timeoutMs`). */
export interface DeprecatedDurationAlias {
  /** The old field name, e.g. `timeoutMs`. */
  readonly field: string;
  /** What its number counts. */
  readonly unit: 'ms' | 's';
}

/** Options of {@link readDuration}. */
export interface ReadDurationOptions {
  /** Path of `section` inside the backend config (`""` for the top level, `rules[2]`). */
  readonly path?: string;
  /** Deprecated numeric fields that still set this duration. */
  readonly aliases?: readonly DeprecatedDurationAlias[];
  /** Called once per deprecated field used, with a message naming the field and its replacement. */
  readonly warn?: (message: string) => void;
  /** Smallest allowed value in ms (inclusive); e.g. 1 to refuse `0`. */
  readonly minMs?: number;
  /** Largest allowed value in ms (inclusive). */
  readonly maxMs?: number;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * readDuration reads the duration field `field` of a config `section` in milliseconds, or
 * `undefined` when neither it nor one of its deprecated aliases is set. A deprecated alias
 * (`timeoutMs: 5000`) still works and reports itself through `warn`; setting both is an error.
 * @throws {ConfigError} for a malformed duration, both field and alias set, or a value out of range.
 */
export function readDuration(section: Readonly<Record<string, unknown>>, field: string, options: ReadDurationOptions = {}): number | undefined {
  const base = options.path ?? '';
  let ms: number | undefined;
  let where = join(base, field);
  const raw = section[field];
  if (raw !== undefined) {
    if (typeof raw !== 'string') throw new ConfigError(where, `must be a duration string such as 30s, 1m30s or 500ms, not ${JSON.stringify(raw)}`);
    ms = parseDuration(raw, where);
  }
  for (const alias of options.aliases ?? []) {
    const old = section[alias.field];
    if (old === undefined) continue;
    const aliasPath = join(base, alias.field);
    if (ms !== undefined) throw new ConfigError(aliasPath, `is a deprecated alias of ${field}; set only ${field}`);
    if (typeof old !== 'number' || !Number.isFinite(old) || old < 0) {
      throw new ConfigError(aliasPath, `must be a non-negative number of ${alias.unit === 'ms' ? 'milliseconds' : 'seconds'} (better: replace it with ${field}, a duration such as 30s)`);
    }
    ms = alias.unit === 'ms' ? old : old * 1000;
    where = aliasPath;
    options.warn?.(`${aliasPath} is deprecated; write ${join(base, field)}: ${alias.unit === 'ms' ? `${old}ms` : `${old}s`} instead`);
  }
  if (ms === undefined) return undefined;
  if (options.minMs !== undefined && ms < options.minMs) throw new ConfigError(where, `must be at least ${options.minMs}ms`);
  if (options.maxMs !== undefined && ms > options.maxMs) throw new ConfigError(where, `must be at most ${options.maxMs}ms`);
  return ms;
}
