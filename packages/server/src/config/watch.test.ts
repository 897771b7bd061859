import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../../../test-support/index.js';
import { watchConfigFile, type ConfigWatcher } from './watch.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('watchConfigFile', () => {
  const dirs: Array<{ remove(): void }> = [];
  const watchers: ConfigWatcher[] = [];
  afterEach(() => {
    for (const w of watchers.splice(0)) w.close();
    for (const d of dirs.splice(0)) d.remove();
  });

  function setup(): { dir: string; file: string; changes: () => number } {
    const d = tempDir('watch');
    dirs.push(d);
    const file = join(d.path, 'config.yaml');
    writeFileSync(file, 'a: 1\n');
    let n = 0;
    watchers.push(watchConfigFile(file, () => n++, { debounceMs: 50, logger: quiet }));
    return { dir: d.path, file, changes: () => n };
  }

  it('reports a write in place and an editor rename once the burst is over, once per burst', async () => {
    const { dir, file, changes } = setup();
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 20; i++) writeFileSync(file, `a: ${i + 2}\n`);
    await waitFor('the burst to be reported', async () => changes() === 1, 10_000, 20);
    writeFileSync(join(dir, '.config.yaml.swp'), 'a: 100\n');
    renameSync(join(dir, '.config.yaml.swp'), file);
    await waitFor('the rename to be reported', async () => changes() === 2, 10_000, 20);
    // Unchanged content (a touch, another file in the directory) is not a change.
    writeFileSync(file, 'a: 100\n');
    writeFileSync(join(dir, 'other'), 'x');
    await new Promise((r) => setTimeout(r, 500));
    expect(changes()).toBe(2);
  });

  it('follows a ..data symlink swapped by rename, as kubelet updates a ConfigMap volume', async () => {
    const d = tempDir('watch-kubelet');
    dirs.push(d);
    mkdirSync(join(d.path, '..v1'));
    writeFileSync(join(d.path, '..v1', 'config.yaml'), 'a: 1\n');
    symlinkSync('..v1', join(d.path, '..data'));
    symlinkSync(join('..data', 'config.yaml'), join(d.path, 'config.yaml'));
    let n = 0;
    watchers.push(watchConfigFile(join(d.path, 'config.yaml'), () => n++, { debounceMs: 50, logger: quiet }));
    await new Promise((r) => setTimeout(r, 100));
    mkdirSync(join(d.path, '..v2'));
    writeFileSync(join(d.path, '..v2', 'config.yaml'), 'a: 2\n');
    symlinkSync('..v2', join(d.path, '..data_tmp'));
    renameSync(join(d.path, '..data_tmp'), join(d.path, '..data'));
    await waitFor('the swap to be reported', async () => n === 1, 10_000, 20);
  });
});
