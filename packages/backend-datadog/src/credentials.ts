/**
 * Datadog API and application keys: read from an environment variable or a file, never logged.
 * Error messages name the source (variable or path), never the value.
 */
import { readFileSync } from 'node:fs';
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

/** A function that removes every known secret from a text (for logs and error details). */
export type Redactor = (text: string) => string;

/** redactor returns a {@link Redactor} for the given secrets (empty ones ignored). */
export function redactor(secrets: readonly string[]): Redactor {
  const list = secrets.filter((s) => s.length > 0);
  return (text: string) => list.reduce((t, s) => t.split(s).join('[REDACTED]'), text);
}
