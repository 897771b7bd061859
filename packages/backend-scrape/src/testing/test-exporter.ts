import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A loopback HTTP server with a replaceable handler, for scrape tests. */
export interface TestExporter {
  readonly url: string;
  readonly port: number;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Requests received so far. */
  requests: number;
  close(): Promise<void>;
}

/** Starts a {@link TestExporter} on 127.0.0.1 (a free port unless `port` is given). */
export async function startExporter(handler: TestExporter['handler'], port = 0): Promise<TestExporter> {
  const sockets = new Set<Socket>();
  const exp: TestExporter = {
    url: '',
    port: 0,
    handler,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    exp.requests++;
    exp.handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const p = (server.address() as AddressInfo).port;
  Object.assign(exp, { port: p, url: `http://127.0.0.1:${p}/metrics` });
  return exp;
}

/** A handler serving `body()` as Prometheus text format. */
export function textHandler(body: () => string): TestExporter['handler'] {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(body());
  };
}

/** One series to expose: metric name, labels, value. */
export interface ExposedSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Renders `series` in the Prometheus text exposition format (label values escaped). */
export function exposition(series: readonly ExposedSeries[]): string {
  return series
    .map((s) => {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      const value = Number.isNaN(s.value) ? 'NaN' : s.value === Infinity ? '+Inf' : s.value === -Infinity ? '-Inf' : String(s.value);
      return `${s.name}{${labels.join(',')}} ${value}\n`;
    })
    .join('');
}
