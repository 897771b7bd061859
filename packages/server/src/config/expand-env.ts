import { ConfigError, type ConfigProblem } from './config-error.js';

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * expandEnvString expands `${VAR}` and `${VAR:-default}` in one string from `env`; `$${` is a
 * literal `${`. Only names starting with a letter or `_` are variables, so prometheus-adapter's
 * `${1}` capture references (and anything else that is not a variable reference) stay as written.
 * `${VAR:-default}` takes `default` when VAR is unset or empty (as in the shell).
 * @returns the expanded text and the names of referenced variables that are unset.
 */
export function expandEnvString(text: string, env: NodeJS.ProcessEnv): { value: string; unset: string[] } {
  if (!text.includes('${')) return { value: text, unset: [] };
  let out = '';
  const unset: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (text.startsWith('${', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(text);
      if (m) {
        const after = i + 2 + m[0].length;
        if (text[after] === '}') {
          const v = env[m[0]];
          if (v === undefined) unset.push(m[0]);
          else out += v;
          i = after + 1;
          continue;
        }
        if (text.startsWith(':-', after)) {
          const close = text.indexOf('}', after + 2);
          if (close >= 0) {
            const v = env[m[0]];
            out += v === undefined || v === '' ? text.slice(after + 2, close) : v;
            i = close + 1;
            continue;
          }
        }
      }
    }
    out += text[i];
    i++;
  }
  return { value: out, unset };
}

function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

/**
 * expandEnv returns a copy of a parsed config with environment references expanded in every
 * string value (mapping keys are left as they are; see {@link expandEnvString}).
 * @throws {ConfigError} naming the field and the variable of every unset reference, e.g.
 * `backends[1].config.token: environment variable INFLUX_TOKEN is not set`.
 */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv = process.env, source = 'config'): unknown {
  const problems: ConfigProblem[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      const r = expandEnvString(v, env);
      for (const name of r.unset) {
        problems.push({ path, expected: `environment variable ${name} is not set (set it, give a default with \${${name}:-default}, or write $\${ for a literal \${)` });
      }
      return r.value;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, childPath(path, i)));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, childPath(path, k));
      return out;
    }
    return v;
  };
  const result = walk(value, '');
  if (problems.length > 0) throw new ConfigError(problems, source);
  return result;
}
