import { rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/index.js';
import { loadSecret, redactor, secretReader } from './credentials.js';

describe('loadSecret', () => {
  it('reads and trims an environment variable', () => {
    expect(loadSecret('apiKey', { env: 'K' }, { K: ' secret-value \n' })).toBe('secret-value');
  });
  it('names the variable, never a value, when it is missing', () => {
    expect(() => loadSecret('appKey', { env: 'DD_APP_KEY' }, {})).toThrow('datadog appKey: environment variable DD_APP_KEY is not set');
  });
  it('reads a file and reports unreadable or empty files by path', () => {
    const dir = tempDir('dd-cred');
    try {
      writeFileSync(`${dir.path}/k`, 'file-secret\n');
      writeFileSync(`${dir.path}/empty`, '\n');
      expect(loadSecret('apiKey', { file: `${dir.path}/k` })).toBe('file-secret');
      expect(() => loadSecret('apiKey', { file: `${dir.path}/empty` })).toThrow(/is empty/);
      expect(() => loadSecret('apiKey', { file: `${dir.path}/missing` })).toThrow(/cannot read .*missing \(ENOENT\)/);
    } finally {
      dir.remove();
    }
  });
});

describe('redactor', () => {
  it('removes every occurrence of every secret', () => {
    const r = redactor(['abc123', 'zzz', '']);
    expect(r('key abc123 and zzz, again abc123')).toBe('key [REDACTED] and [REDACTED], again [REDACTED]');
  });
});

describe('secretReader', () => {
  it('re-reads a key file after it changes, keeping the last good key while it is empty or gone', () => {
    const dir = tempDir('dd-reader');
    try {
      const file = `${dir.path}/k`;
      writeFileSync(file, 'one\n');
      const read = secretReader('apiKey', { file });
      expect(read()).toBe('one');
      writeFileSync(file, 'two-rotated\n');
      expect(read()).toBe('two-rotated');
      writeFileSync(file, '');
      expect(read()).toBe('two-rotated');
      rmSync(file);
      expect(read()).toBe('two-rotated');
      writeFileSync(file, 'three');
      expect(read()).toBe('three');
    } finally {
      dir.remove();
    }
  });
  it('reads an environment variable once and fails at once when it is unset', () => {
    expect(secretReader('apiKey', { env: 'K' }, { K: 'v' })()).toBe('v');
    expect(() => secretReader('appKey', { env: 'DD_APP_KEY' }, {})).toThrow('datadog appKey: environment variable DD_APP_KEY is not set');
  });
});
