// Test harness: a real influxd 1.x on free loopback ports with temporary meta/data/wal
// directories, written a config file; points are written by line protocol (POST /write).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, tempDir, waitFor } from '../../../../test-support/index.js';

/** A running (or stopped) influxd the tests control. */
export interface Influxd {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the process (the data stays for {@link start}). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and directories, and waits until it answers /ping. */
  start(): Promise<void>;
  /** Runs an InfluxQL statement (CREATE DATABASE…) and throws on an error. */
  exec(q: string): Promise<unknown>;
  /** Writes line protocol into `db` (precision ms). */
  write(db: string, lines: string[]): Promise<void>;
  /** Stops the process and removes the directories. */
  dispose(): Promise<void>;
}

/** Options of {@link startInfluxd}. */
export interface InfluxdOptions {
  /**
   * Turn on authentication with this admin user (created at the first start). The harness sends
   * these credentials on exec/write, reading the object each time, so a test that changes the
   * password (`SET PASSWORD`) updates `password` here too.
   */
  auth?: { username: string; password: string };
}

/** Starts influxd from `bin`; call dispose() in afterAll. */
export async function startInfluxd(bin: string, options: InfluxdOptions = {}): Promise<Influxd> {
  const auth = options.auth;
  const authHeader = (): Record<string, string> =>
    auth ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
  const dir = tempDir('influxd');
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const conf = join(dir.path, 'influxdb.conf');
  writeFileSync(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dir.path, 'meta')}"`,
      '[data]',
      `  dir = "${join(dir.path, 'data')}"`,
      `  wal-dir = "${join(dir.path, 'wal')}"`,
      '  query-log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      '  enabled = true',
      `  bind-address = "127.0.0.1:${httpPort}"`,
      '  log-enabled = false',
      `  auth-enabled = ${auth ? 'true' : 'false'}`,
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${httpPort}`;
  let proc: ReturnType<typeof startProcess> | undefined;

  const start = async () => {
    const p = startProcess(bin, ['run', '-config', conf], { env: { ...process.env, INFLUXDB_REPORTING_DISABLED: 'true' } });
    proc = p;
    try {
      await waitFor('influxd /ping', async () => {
        if (p.child.exitCode !== null) throw new Error(`influxd exited: ${p.output()}`);
        const res = await fetch(`${url}/ping`);
        return res.status === 204;
      }, 30_000, 100);
    } catch (e) {
      await p.stop();
      throw e;
    }
  };
  const stop = async () => {
    await proc?.stop();
    proc = undefined;
  };
  const exec = async (q: string) => {
    const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }), headers: authHeader() });
    const body = (await res.json()) as { results?: Array<{ error?: string }>; error?: string };
    const err = body.error ?? body.results?.find((r) => r.error)?.error;
    if (!res.ok || err) throw new Error(`influxd ${q}: ${res.status} ${err ?? ''}`);
    return body;
  };
  const write = async (db: string, lines: string[]) => {
    const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, { method: 'POST', body: lines.join('\n'), headers: authHeader() });
    if (res.status !== 204) throw new Error(`influxd write: ${res.status} ${await res.text()}`);
  };
  await start();
  if (auth) {
    // With no user yet, influxd accepts exactly this statement unauthenticated.
    const res = await fetch(`${url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: `CREATE USER "${auth.username}" WITH PASSWORD '${auth.password}' WITH ALL PRIVILEGES` }),
    });
    if (!res.ok) throw new Error(`influxd CREATE USER: ${res.status} ${await res.text()}`);
  }
  return {
    url,
    stop,
    start,
    exec,
    write,
    dispose: async () => {
      await stop();
      dir.remove();
    },
  };
}

/** Escapes a line-protocol measurement name (commas and spaces). */
export function lpMeasurement(name: string): string {
  return name.replace(/[, ]/g, (c) => `\\${c}`);
}

/** Escapes a line-protocol tag key or value (commas, `=`, spaces). */
export function lpTag(text: string): string {
  return text.replace(/[,= ]/g, (c) => `\\${c}`);
}

/** One line: `measurement,tags value=<v> <ms>`; tags with empty values are left out. */
export function lpLine(measurement: string, tags: Record<string, string>, value: number, timeMs: number): string {
  const t = Object.entries(tags)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `,${lpTag(k)}=${lpTag(v)}`)
    .join('');
  return `${lpMeasurement(measurement)}${t} value=${value} ${timeMs}`;
}
