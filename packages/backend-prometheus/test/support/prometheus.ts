import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, tempDir, waitFor } from '../../../../test-support/index.js';

/** A real Prometheus process on a loopback port, scraping one target every second. */
export interface PrometheusProcess {
  readonly url: string;
  readonly port: number;
  /** Runs an instant query directly against Prometheus: `[labels, value]` per sample. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** Stops the process (the data directory is kept for {@link restart}). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory, waiting until it is ready. */
  restart(): Promise<void>;
  /** Stops it and removes the data directory. */
  dispose(): Promise<void>;
  output(): string;
}

/**
 * startPrometheus runs `bin` with a generated config (scrape_interval 1s, one static target on
 * 127.0.0.1:`targetPort`, honor_labels) and a temp data dir, on a free loopback port; resolves
 * when `/-/ready` answers. `port` picks the port (e.g. one a backend was pointed at before
 * Prometheus came up).
 */
export async function startPrometheus(bin: string, targetPort: number, options: { port?: number } = {}): Promise<PrometheusProcess> {
  const dir = tempDir('prometheus');
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir.path, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: test-exporter',
      '    honor_labels: true',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${targetPort}']`,
      '',
    ].join('\n'),
  );
  const args = [
    `--config.file=${join(dir.path, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir.path, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
    '--storage.tsdb.retention.time=1h',
  ];
  let proc = startProcess(bin, args);
  const ready = () =>
    waitFor(
      'prometheus /-/ready',
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`prometheus exited: ${proc.output()}`);
        const r = await fetch(`${url}/-/ready`);
        return r.status === 200;
      },
      30_000,
      200,
    );
  await ready();
  return {
    url,
    port,
    async query(promql) {
      const r = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: promql }) });
      const j = (await r.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      return j.data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
    },
    stop: () => proc.stop(),
    async restart() {
      await proc.stop();
      proc = startProcess(bin, args);
      await ready();
    },
    async dispose() {
      await proc.stop();
      dir.remove();
    },
    output: () => proc.output(),
  };
}
