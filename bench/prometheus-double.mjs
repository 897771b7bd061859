#!/usr/bin/env node
/* global Buffer, setImmediate, URLSearchParams */
// A loopback double of the Prometheus HTTP API for bench/prometheus.bench.mjs, run as a child
// process so its memory is not counted against the backend under test.
//   /api/v1/series  streams SERIES synthetic series over METRICS metric names (generated on the fly)
//   /api/v1/query   answers a vector with one sample per name in the query's pod matcher
//   /stats          {queries, maxRequestBytes, totalRequestBytes, maxRegexBytes}
// Prints the port on stdout once listening. Loopback only.
import { createServer } from 'node:http';

const SERIES = Number(process.env.SERIES ?? 1_000_000);
const METRICS = Number(process.env.METRICS ?? 2_000);
const stats = { queries: 0, maxRequestBytes: 0, totalRequestBytes: 0, maxRegexBytes: 0 };

function unescapeRegexAlternation(s) {
  return s.split(/(?<!\\)\|/).map((n) => n.replace(/\\(.)/g, '$1'));
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    const size = body.length + (req.url?.length ?? 0);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    if (url.pathname === '/api/v1/series') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":"success","data":[');
      let i = 0;
      const perMetric = Math.ceil(SERIES / METRICS);
      const pump = () => {
        let buf = '';
        while (i < SERIES && buf.length < 256 * 1024) {
          const m = i % METRICS;
          const k = Math.floor(i / METRICS);
          buf += `${i ? ',' : ''}{"__name__":"bench_metric_${m}_total","namespace":"ns-${k % 50}","pod":"pod-${k}-${m % 7}","instance":"10.0.${k % 250}.${m % 250}:9100","job":"bench"}`;
          i++;
        }
        if (i >= SERIES) {
          res.end(`${buf}]}`);
          return;
        }
        if (res.write(buf)) setImmediate(pump);
        else res.once('drain', pump);
      };
      void perMetric;
      pump();
      return;
    }
    if (url.pathname === '/api/v1/query') {
      stats.queries++;
      stats.totalRequestBytes += size;
      stats.maxRequestBytes = Math.max(stats.maxRequestBytes, size);
      const query = new URLSearchParams(body).get('query') ?? url.searchParams.get('query') ?? '';
      const m = /pod=~"((?:[^"\\]|\\.)*)"|pod="((?:[^"\\]|\\.)*)"/.exec(query);
      if (m?.[1] !== undefined) stats.maxRegexBytes = Math.max(stats.maxRegexBytes, Buffer.byteLength(m[1]));
      const names = m ? (m[1] !== undefined ? unescapeRegexAlternation(m[1].replace(/\\\\/g, '\\')) : [m[2]]) : [];
      const now = Date.now() / 1000;
      const result = names.map((n, i) => ({ metric: { pod: n }, value: [now, String(i % 100)] }));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
      return;
    }
    res.writeHead(404).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
