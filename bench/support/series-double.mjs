#!/usr/bin/env node
/* global Buffer */
// A loopback /api/v1/series double for the discovery benchmark (P2, issue 13), run as a child
// process so neither its memory nor its CPU is counted against the backend under test. The answer
// (SERIES series over METRICS metric names, the same label sets as bench/prometheus-double.mjs:
// __name__, namespace, pod, instance, job; names interleaved) is rendered once at start-up into
// 64 KiB buffers, so serving it costs only the socket writes and the relist is bound by the client.
// Prints the port on stdout once listening. Loopback only; stops on SIGTERM.
import { createServer } from 'node:http';

const SERIES = Number(process.env.SERIES ?? 1_000_000);
const METRICS = Number(process.env.METRICS ?? 2_000);

const chunks = [];
let buf = '{"status":"success","data":[';
for (let i = 0; i < SERIES; i++) {
  const m = i % METRICS;
  const k = Math.floor(i / METRICS);
  buf += `${i ? ',' : ''}{"__name__":"bench_metric_${m}_total","namespace":"ns-${k % 50}","pod":"pod-${k}-${m % 7}","instance":"10.0.${k % 250}.${m % 250}:9100","job":"bench"}`;
  if (buf.length >= 64 * 1024) {
    chunks.push(Buffer.from(buf));
    buf = '';
  }
}
chunks.push(Buffer.from(`${buf}]}`));
const bytes = chunks.reduce((n, c) => n + c.length, 0);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/api/v1/series') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(bytes) });
    let i = 0;
    const pump = () => {
      while (i < chunks.length) if (!res.write(chunks[i++])) return void res.once('drain', pump);
      res.end();
    };
    pump();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port} ${bytes}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
