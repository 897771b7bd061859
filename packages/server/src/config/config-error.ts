import type { ErrorObject } from 'ajv';

/** One problem found in a configuration: where (a JSON path such as `backends[0].config.url`) and what was expected. */
export interface ConfigProblem {
  readonly path: string;
  readonly expected: string;
}

/**
 * ConfigError is a configuration that cannot be used. The CLI prints its message and exits with
 * code 2. The message names the JSON path of each bad field and what was expected there.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly source = 'config',
  ) {
    super(problems.map((p) => `${source}: ${p.path || '(root)'}: ${p.expected}`).join('\n'));
  }
}

/** Whether `e` is a {@link ConfigError} (brand check by name, safe across module copies). */
export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof Error && e.name === 'ConfigError' && Array.isArray((e as ConfigError).problems);
}

/** Joins JSON-pointer segments into `a.b[0].c` form, prefixed by `base`. */
export function jsonPath(base: string, pointer: string): string {
  let out = base;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Turns ajv errors into problems with JSON paths under `base` (e.g. `backends[1].config`). */
export function problemsFromAjv(errors: readonly ErrorObject[] | null | undefined, base = ''): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let path = jsonPath(base, e.instancePath);
    let expected = e.message ?? 'is invalid';
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      path = jsonPath(path, `/${String(p.missingProperty)}`);
      expected = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path = jsonPath(path, `/${String(p.additionalProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`);
      expected = 'is not a known field';
    } else if (e.keyword === 'enum') {
      expected = `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'type') {
      expected = `must be of type ${String(p.type)}`;
    }
    const key = `${path}\u0000${expected}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, expected });
    }
  }
  return out;
}
