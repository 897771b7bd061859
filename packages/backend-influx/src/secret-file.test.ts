import { mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { createInfluxClient } from './plugin.js';
import { SecretFile } from './secret-file.js';

const dir = mkdtempSync(join(tmpdir(), 'influx-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SecretFile', () => {
  it('reads the trimmed content and re-reads it after the file changes', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first\n');
    const s = new SecretFile(file, 'tokenFile');
    expect(s.read()).toBe('first');
    writeFileSync(file, 'second-token\n');
    expect(s.read()).toBe('second-token');
  });

  it('follows a Secret-style symlink swap', () => {
    writeFileSync(join(dir, 'v1'), 'one');
    writeFileSync(join(dir, 'v2'), 'two');
    const link = join(dir, 'current');
    symlinkSync(join(dir, 'v1'), link);
    const s = new SecretFile(link, 'tokenFile');
    expect(s.read()).toBe('one');
    symlinkSync(join(dir, 'v2'), `${link}.tmp`);
    renameSync(`${link}.tmp`, link);
    expect(s.read()).toBe('two');
  });

  it('keeps the last good value while the file is missing or empty, and fails at start naming field and path', () => {
    const file = join(dir, 'flaky');
    writeFileSync(file, 'good');
    const s = new SecretFile(file, 'passwordFile');
    unlinkSync(file);
    expect(s.read()).toBe('good');
    writeFileSync(file, '');
    expect(s.read()).toBe('good');
    expect(() => new SecretFile(join(dir, 'nope'), 'tokenFile')).toThrow(`tokenFile: cannot read ${join(dir, 'nope')} (ENOENT)`);
    expect(() => new SecretFile(file, 'passwordFile')).toThrow(`passwordFile: ${file} is empty`);
  });
});

describe('tokenFile and passwordFile', () => {
  // A loopback HTTP server standing in for InfluxDB's /query: records each request, answers no rows.
  const seen: Array<{ url: URL; authorization: string | undefined }> = [];
  let base = '';
  const server = createServer((req, res) => {
    seen.push({ url: new URL(req.url ?? '/', 'http://x'), authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [] })));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
  });
  const ask = (client: ReturnType<typeof createInfluxClient>) => client.query('SELECT 1', { signal: new AbortController().signal });

  it('InfluxQL sends the current token from tokenFile on every call', async () => {
    const file = join(dir, 'ql-token');
    writeFileSync(file, 'tok-1');
    const client = createInfluxClient(resolveConfig({ mode: 'influxql', url: base, database: 'db', tokenFile: file }));
    await ask(client);
    writeFileSync(file, 'tok-2-rotated');
    await ask(client);
    expect(seen.map((s) => s.authorization)).toEqual(['Token tok-1', 'Token tok-2-rotated']);
  });

  it('InfluxQL sends the current password from passwordFile (basic and query)', async () => {
    const file = join(dir, 'ql-password');
    writeFileSync(file, 'pw-1');
    const basic = createInfluxClient(resolveConfig({ mode: 'influxql', url: base, database: 'db', username: 'u', passwordFile: file }));
    const query = createInfluxClient(resolveConfig({ mode: 'influxql', url: base, database: 'db', username: 'u', passwordFile: file, authMethod: 'query' }));
    await ask(basic);
    writeFileSync(file, 'pw-2-rotated');
    await ask(basic);
    await ask(query);
    const b64 = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(seen.slice(0, 2).map((s) => s.authorization)).toEqual([b64('u:pw-1'), b64('u:pw-2-rotated')]);
    expect(seen[2].url.searchParams.get('p')).toBe('pw-2-rotated');
  });

  it('rejects both forms of one secret, and a missing file at creation', () => {
    expect(() => resolveConfig({ mode: 'influxql', url: 'http://i:8086', database: 'db', token: 't', tokenFile: '/t' })).toThrow('tokenFile: use either token or tokenFile, not both');
    expect(() => resolveConfig({ mode: 'influxql', url: 'http://i:8086', database: 'db', username: 'u', password: 'p', passwordFile: '/p' })).toThrow(
      'passwordFile: use either password or passwordFile, not both',
    );
    expect(() => resolveConfig({ mode: 'flux', url: 'http://i:8086', org: 'o', passwordFile: '/p', tokenFile: '/t' })).toThrow('passwordFile: only valid in influxql mode');
    expect(() => createInfluxClient(resolveConfig({ mode: 'flux', url: 'http://i:8086', org: 'o', tokenFile: join(dir, 'absent') }))).toThrow(
      `tokenFile: cannot read ${join(dir, 'absent')} (ENOENT)`,
    );
  });
});
