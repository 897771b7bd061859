import { createServer, type Server } from 'node:http';
import { freePort } from '../../../../test-support/index.js';

/** One exposed series: metric name, labels and value. */
export interface ExposedSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Renders series in the Prometheus text exposition format. */
export function exposition(series: readonly ExposedSeries[]): string {
  return series
    .map((s) => {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const value = Number.isNaN(s.value) ? 'NaN' : s.value === Infinity ? '+Inf' : s.value === -Infinity ? '-Inf' : String(s.value);
      return `${s.name}{${labels}} ${value}\n`;
    })
    .join('');
}

/** A tiny test exporter on 127.0.0.1 serving `/metrics` from a mutable series list. */
export interface TestExporter {
  readonly port: number;
  series: ExposedSeries[];
  stop(): Promise<void>;
}

export async function startExporter(series: ExposedSeries[] = []): Promise<TestExporter> {
  const port = await freePort();
  const state = { series };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(exposition(state.series));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    get series() {
      return state.series;
    },
    set series(s: ExposedSeries[]) {
      state.series = s;
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
