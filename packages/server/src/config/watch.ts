import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '@custom-metrics/core';

/** A running {@link watchConfigFile}. */
export interface ConfigWatcher {
  /** Stops watching (a pending debounced change is dropped). */
  close(): void;
}

/** The sha256 of the file's content (symlinks followed), or `undefined` while it cannot be read. */
async function fingerprint(file: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * watchConfigFile watches the *directory* of `file`, so that every way the file is replaced is
 * seen: a ConfigMap volume (kubelet writes a timestamped directory and renames a `..data`
 * symlink over the old one), an editor's write-then-rename, or a write in place. Events are
 * debounced (`debounceMs` of quiet), then the file's content is compared with the last one seen:
 * `onChange` runs only when it differs (or the file became unreadable, so that the reload
 * reports it). The caller serializes reloads.
 */
export function watchConfigFile(file: string, onChange: () => void, options: { debounceMs: number; logger: Logger }): ConfigWatcher {
  const path = resolve(file);
  let last: Promise<string | undefined> = fingerprint(path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const settle = () => {
    timer = undefined;
    const previous = last;
    const next = fingerprint(path);
    last = next;
    void Promise.all([previous, next]).then(([a, b]) => {
      if (closed || (a === b && b !== undefined)) return;
      onChange();
    });
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(dirname(path), { persistent: false }, () => {
      if (closed) return;
      clearTimeout(timer);
      timer = setTimeout(settle, options.debounceMs);
      timer.unref();
    });
  } catch (e) {
    options.logger.warn({ file: path, err: (e as Error).message }, 'cannot watch the config file directory: reload with SIGHUP');
    return { close: () => undefined };
  }
  watcher.on('error', (e: Error) => {
    options.logger.warn({ file: path, err: e.message }, 'stopped watching the config file directory: reload with SIGHUP');
    watcher.close();
  });
  options.logger.debug({ file: path, directory: dirname(path), name: basename(path) }, 'watching the config file');
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
