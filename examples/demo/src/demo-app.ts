import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';

/** One running demo application instance ("pod"). */
export interface DemoApp {
  readonly name: string;
  readonly port: number;
  /** Its metrics endpoint. */
  readonly metricsUrl: string;
  /** Its base URL for traffic. */
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Paths the demo app serves; the load generator spreads requests over them. */
export const DEMO_PATHS = ['/', '/api/orders', '/api/cart'] as const;

/**
 * startDemoApp starts a small HTTP app on 127.0.0.1 that counts its requests in
 * `http_requests_total{path,code}` and keeps a work queue whose length is the gauge `queue_depth`:
 * each `/api/orders` request enqueues a job, a worker drains `drainPerSecond` jobs a second.
 * Roughly one request in twenty answers 500. Metrics are served on `/metrics` in text format.
 */
export async function startDemoApp(name: string, options: { port?: number; drainPerSecond?: number } = {}): Promise<DemoApp> {
  const registry = new Registry();
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests served, by path and status code.', labelNames: ['path', 'code'], registers: [registry] });
  const depth = new Gauge({ name: 'queue_depth', help: 'Jobs waiting in the work queue.', registers: [registry] });
  let queue = 0;
  let served = 0;
  const drain = options.drainPerSecond ?? 4;
  const worker = setInterval(() => {
    queue = Math.max(0, queue - drain / 4);
    depth.set(Math.round(queue));
  }, 250);
  worker.unref();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    if (!(DEMO_PATHS as readonly string[]).includes(path)) {
      requests.inc({ path: 'other', code: '404' });
      res.writeHead(404).end('not found\n');
      return;
    }
    served++;
    const code = served % 20 === 0 ? 500 : 200;
    if (path === '/api/orders' && code === 200) queue = Math.min(10_000, queue + 1);
    depth.set(Math.round(queue));
    requests.inc({ path, code: String(code) });
    res.writeHead(code, { 'content-type': 'text/plain' }).end(code === 200 ? `ok from ${name}\n` : 'oops\n');
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(worker);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
