/**
 * ConfigError: the one error a backend throws for a config it cannot use. It carries the JSON path
 * of the bad field inside the backend's `config` section (`rules[2].query`, `timeout`, `""` for the
 * section itself); the server prefixes it with `backends[<i>].config.` when it reports it.
 */

const BRAND = Symbol.for('@custom-metrics/core/ConfigError');

/** A backend config value that cannot be used; `path` names the field, `problem` says what to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** JSON path inside the backend's config section, e.g. `rules[2].query`; `""` for the section. */
  readonly path: string;
  /** What is wrong and what is expected, without the path. */
  readonly problem: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(path === '' ? problem : `${path}: ${problem}`, options);
    this.path = path;
    this.problem = problem;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Brand check for {@link ConfigError}, true for errors from any loaded copy of core. */
export function isConfigError(e: unknown): e is ConfigError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as Record<symbol, unknown>)[BRAND] === true &&
    typeof (e as { path?: unknown }).path === 'string' &&
    typeof (e as { problem?: unknown }).problem === 'string'
  );
}

/** Joins a config path and a child key or index: `configPath('rules', 2)` → `rules[2]`, `configPath('', 'url')` → `url`. */
export function configPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}
