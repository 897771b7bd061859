#!/usr/bin/env node
/* global Buffer, performance, setImmediate, URLSearchParams */
// A loopback double of the Prometheus HTTP API for bench/prometheus.bench.mjs, run as a child
// process so its memory is not counted against the backend under test.
//   /api/v1/series  streams SERIES synthetic series over METRICS metric names (generated on the fly)
//   /api/v1/query   answers a vector with one sample per name in the query's pod matcher; a query
//                   without one (a merged query, `pod!=""`) gets one sample per pod of POD_FILE
//                   (JSON [[namespace, pod], …]), within its `namespace="…"` matcher if any,
//                   labelled with namespace and pod
//   /stats          {queries, maxRequestBytes, totalRequestBytes, maxRegexBytes, queryTimesMs}
//                   (queryTimesMs: when each instant query arrived, ms since the double started)
// Prints the port on stdout once listening. Loopback only.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const SERIES = Number(process.env.SERIES ?? 1_000_000);
const METRICS = Number(process.env.METRICS ?? 2_000);
const stats = { queries: 0, maxRequestBytes: 0, totalRequestBytes: 0, maxRegexBytes: 0, queryTimesMs: [] };
const started = performance.now();
/** The pods a merged query answers for: [namespace, pod] pairs. */
const knownPods = process.env.POD_FILE ? JSON.parse(readFileSync(process.env.POD_FILE, 'utf8')) : [];
const podIndex = new Map(knownPods.map(([ns, pod], i) => [`${ns}/${pod}`, i]));

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
      stats.queryTimesMs.push(Math.round(performance.now() - started));
      stats.totalRequestBytes += size;
      stats.maxRequestBytes = Math.max(stats.maxRequestBytes, size);
      const query = new URLSearchParams(body).get('query') ?? url.searchParams.get('query') ?? '';
      const m = /pod=~"((?:[^"\\]|\\.)*)"|pod="((?:[^"\\]|\\.)*)"/.exec(query);
      if (m?.[1] !== undefined) stats.maxRegexBytes = Math.max(stats.maxRegexBytes, Buffer.byteLength(m[1]));
      const names = m ? (m[1] !== undefined ? unescapeRegexAlternation(m[1].replace(/\\\\/g, '\\')) : [m[2]]) : [];
      const ns = /namespace="((?:[^"\\]|\\.)*)"/.exec(query)?.[1];
      const now = Date.now() / 1000;
      // A sample's value depends only on its pod, so merged and per-request answers agree.
      const value = (namespace, pod, i) => String((podIndex.get(`${namespace}/${pod}`) ?? i) % 100);
      const result = m
        ? names.map((n, i) => ({ metric: ns === undefined ? { pod: n } : { namespace: ns, pod: n }, value: [now, value(ns, n, i)] }))
        : knownPods.filter(([podNs]) => ns === undefined || podNs === ns).map(([podNs, pod], i) => ({ metric: { namespace: podNs, pod }, value: [now, value(podNs, pod, i)] }));
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
