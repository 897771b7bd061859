// Redaction of the configuration shown by the debug page: no secret leaves the process. Pure.

/** Keys whose values are secrets (case-insensitive, anywhere in the tree). */
const SECRET_KEY = /(pass(word|phrase)?|secret|token|api[-_]?key|app[-_]?key|credential|^authorization$|private[-_]?key|bearer|cookie|^key$|^keyData$)/i;

/** What replaces a secret value. */
export const REDACTED = '[redacted]';

/**
 * redactConfig returns a deep copy of `value` in which every value under a secret-looking key
 * (password, token, apiKey, appKey, secret, credentials, authorization, privateKey, ...) is
 * {@link REDACTED}, so is every value of a `headers` map (HTTP headers carry credentials under
 * any name), and so is every string equal to one of `secrets` (values read from secret
 * files or the environment), wherever it appears. File *paths* (`...File` keys) stay visible.
 */
export function redactConfig(value: unknown, secrets: ReadonlySet<string> = new Set()): unknown {
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (key !== undefined && SECRET_KEY.test(key) && !/File$|Path$|Env$/.test(key) && v !== null && v !== undefined && v !== '') {
      return REDACTED;
    }
    if (typeof v === 'string') return secrets.has(v) || [...secrets].some((s) => s.length >= 6 && v.includes(s)) ? REDACTED : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'object' && v !== null) {
      if (key === 'headers') return Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return walk(value, undefined);
}
