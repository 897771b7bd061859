import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, tempDir, waitFor } from '../../../../test-support/index.js';

/** A real Prometheus on a free loopback port with a temporary storage directory. */
export interface RealPrometheus {
  readonly url: string;
  /** Runs an instant query and returns the vector result. */
  query(expr: string, timeSec?: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
  output(): string;
}

/** Starts `bin` scraping `targets` (host:port) every `scrapeInterval`. Also scrapes itself as job `prometheus`. */
export async function startPrometheus(bin: string, targets: string[], scrapeInterval = '1s'): Promise<RealPrometheus> {
  const dir = tempDir('prometheus');
  const port = await freePort();
  const config = [
    'global:',
    `  scrape_interval: ${scrapeInterval}`,
    `  scrape_timeout: ${scrapeInterval}`,
    'scrape_configs:',
    '  - job_name: test',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
  writeFileSync(join(dir.path, 'prometheus.yml'), config);
  const proc = startProcess(bin, [
    `--config.file=${join(dir.path, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir.path, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop();
    dir.remove();
  };
  try {
    await waitFor('prometheus ready', async () => (await fetch(`${url}/-/ready`)).ok, 30_000, 200);
  } catch (e) {
    const out = proc.output();
    await stop();
    throw new Error(`${String(e)}\n${out}`);
  }
  return {
    url,
    output: proc.output,
    stop,
    async query(expr, timeSec) {
      const q = new URLSearchParams({ query: expr });
      if (timeSec !== undefined) q.set('time', String(timeSec));
      const res = await fetch(`${url}/api/v1/query?${q}`);
      const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
      return body.data.result;
    },
  };
}
