/**
 * Datadog API and application keys: read from an environment variable or a file, never logged.
 * Error messages name the source (variable or path), never the value.
 */
import { readFileSync, statSync } from 'node:fs';
import type { SecretSource } from './config.js';

/** loadSecret reads one key. Throws an Error naming the source when it is missing or empty. */
export function loadSecret(what: string, source: SecretSource, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in source) {
    const value = env[source.env]?.trim();
    if (!value) throw new Error(`datadog ${what}: environment variable ${source.env} is not set`);
    return value;
  }
  let text: string;
  try {
    text = readFileSync(source.file, 'utf8');
  } catch (e) {
    throw new Error(`datadog ${what}: cannot read ${source.file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const value = text.trim();
  if (!value) throw new Error(`datadog ${what}: ${source.file} is empty`);
  return value;
}

/**
 * secretReader reads one key now (throwing like {@link loadSecret}) and returns a function giving
 * the current key: an environment variable is read once; a file is re-read whenever its mtime,
 * size or inode changes (a rotated Kubernetes Secret), keeping the last good key while the file
 * is missing or empty.
 */
export function secretReader(what: string, source: SecretSource, env: NodeJS.ProcessEnv = process.env): () => string {
  let current = loadSecret(what, source, env);
  if ('env' in source) return () => current;
  const stampOf = (): string | undefined => {
    try {
      const st = statSync(source.file);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return undefined;
    }
  };
  let stamp = stampOf();
  return () => {
    const now = stampOf();
    if (now === undefined || now === stamp) return current;
    try {
      current = loadSecret(what, source, env);
      stamp = now;
    } catch {
      // Mid-rotation (empty or vanished file): keep the last good key.
    }
    return current;
  };
}

/** A function that removes every known secret from a text (for logs and error details). */
export type Redactor = (text: string) => string;

/** redactor returns a {@link Redactor} for the given secrets (empty ones ignored). */
export function redactor(secrets: readonly string[]): Redactor {
  const list = secrets.filter((s) => s.length > 0);
  return (text: string) => list.reduce((t, s) => t.split(s).join('[REDACTED]'), text);
}
