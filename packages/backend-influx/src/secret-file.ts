// A secret kept in a file (a mounted Secret): read at start-up, re-read whenever the file changes.
import { ConfigError } from '@custom-metrics/core';
import { readFileSync, statSync } from 'node:fs';

/**
 * SecretFile holds the trimmed content of a file and re-reads it when its mtime, size or inode
 * changes (a Kubernetes Secret update swaps a symlink, which changes the inode). Errors name the
 * file, never its content.
 */
export class SecretFile {
  #stamp = '';
  #content = '';

  /**
   * Reads the file once.
   * @throws {Error} when it cannot be read or is empty, naming `what` (e.g. `tokenFile`) and the path.
   */
  constructor(
    readonly path: string,
    private readonly what: string,
  ) {
    this.read();
  }

  /** The current content; when the file has become unreadable or empty, the last good content. */
  read(): string {
    let stamp: string;
    try {
      const st = statSync(this.path);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (e) {
      if (this.#stamp !== '') return this.#content;
      throw new ConfigError(this.what, `cannot read ${this.path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (stamp === this.#stamp) return this.#content;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8').trim();
    } catch (e) {
      if (this.#stamp !== '') return this.#content;
      throw new ConfigError(this.what, `cannot read ${this.path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (text === '') {
      if (this.#stamp !== '') return this.#content;
      throw new ConfigError(this.what, `${this.path} is empty`);
    }
    this.#content = text;
    this.#stamp = stamp;
    return text;
  }
}
