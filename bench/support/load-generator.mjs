#!/usr/bin/env node
/* global Buffer, performance, setInterval, clearInterval */
// A small HTTP load generator for the benchmarks, run in its own process (never inside the server
// it measures): TLS with client certificates, keep-alive HTTP/1.1 connections or multiplexed
// HTTP/2 streams, custom header lines. Two modes, both bounded in time:
//   max   `concurrency` requests always in flight (closed loop) → throughput
//   rate  `rate` requests/s on a fixed schedule (open loop; latency counts from the scheduled
//         send time, so queueing behind a slow server is measured, not hidden)
// Usage: node load-generator.mjs '<json options>'   (prints one JSON result line on stdout;
// `requests` counts every answer, warm-up included, for per-request server CPU)
import { connect as tlsConnect } from 'node:tls';
import { connect as h2Connect } from 'node:http2';

const o = JSON.parse(process.argv[2]);
const MAX_SAMPLES = 2_000_000;
const tls = { host: o.host, port: o.port, ca: o.ca, cert: o.cert, key: o.key, servername: o.servername ?? 'localhost' };
const headers = o.headers ?? [];

function h1Request() {
  const lines = [`GET ${o.path} HTTP/1.1`, `Host: ${tls.servername}`, ...headers.map(([k, v]) => `${k}: ${v}`)];
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
}

/** One keep-alive HTTP/1.1 connection, one request at a time; `send(cb)` calls `cb(status)`. */
async function openH1(fail) {
  let done = null;
  const socket = tlsConnect({ ...tls, ALPNProtocols: ['http/1.1'] });
  await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  socket.setNoDelay(true);
  const request = h1Request();
  let buf = null;
  socket.on('data', (chunk) => {
    buf = buf ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!m) return fail(new Error('response without Content-Length'));
      const total = end + 4 + Number(m[1]);
      if (buf.length < total) return;
      const status = Number(head.slice(9, 12));
      buf = buf.length === total ? null : buf.subarray(total);
      done(status);
      if (!buf) return;
    }
  });
  socket.on('error', fail);
  return {
    send(cb) {
      done = cb;
      socket.write(request);
    },
    close: () => socket.destroy(),
  };
}

/** One HTTP/2 session; `send(cb)` opens a stream and calls `cb(status)` at its end. */
async function openH2(fail) {
  const session = h2Connect(`https://${o.host}:${o.port}`, tls);
  await new Promise((resolve, reject) => session.once('connect', resolve).once('error', reject));
  session.on('error', fail);
  const h = { ':path': o.path, ':method': 'GET' };
  for (const [k, v] of headers) {
    const name = k.toLowerCase();
    h[name] = h[name] === undefined ? v : [].concat(h[name], v);
  }
  return {
    send(done) {
      const stream = session.request(h, { endStream: true });
      let status = 0;
      stream.on('response', (r) => (status = r[':status']));
      stream.on('data', () => {});
      stream.on('end', () => done(status));
      stream.on('error', fail);
    },
    close: () => session.destroy(),
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs one phase (warm-up or measured) of `ms` milliseconds over `lanes`; resolves with its figures. */
let answered = 0; // every response of every phase (warm-up included, late ones too)
function phase(lanes, ms) {
  return new Promise((resolve) => {
    const samples = [];
    let completed = 0;
    let non2xx = 0;
    let inflight = 0;
    let stopped = false;
    const start = performance.now();
    const queue = [];
    const idle = [];
    const finish = () => {
      const took = performance.now() - start;
      samples.sort((a, b) => a - b);
      resolve({ completed, non2xx, seconds: took / 1000, rps: completed / (Math.min(took, ms) / 1000), p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99), p999: percentile(samples, 99.9), max: samples.at(-1) });
    };
    const dispatch = (lane, scheduled) => {
      inflight++;
      lane.pending.push(scheduled);
      lane.conn.send(lane.onDone);
    };
    for (const lane of lanes) {
      lane.pending = [];
      lane.onDone = (status) => {
        const scheduled = lane.pending.shift();
        inflight--;
        answered++;
        const now = performance.now();
        if (now - start <= ms) {
          completed++;
          if (status < 200 || status > 299) non2xx++;
          if (samples.length < MAX_SAMPLES) samples.push(now - scheduled);
        }
        if (stopped) {
          if (inflight === 0) finish();
          return;
        }
        if (o.mode === 'max') dispatch(lane, performance.now());
        else if (queue.length > 0) dispatch(lane, queue.shift());
        else idle.push(lane);
      };
    }
    const stop = () => {
      stopped = true;
      if (inflight === 0) finish();
    };
    if (o.mode === 'max') {
      for (const lane of lanes) dispatch(lane, performance.now());
      setTimeout(stop, ms);
      return;
    }
    // rate: top the schedule up every millisecond; send on an idle lane or queue.
    idle.push(...lanes);
    let sent = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      if (now - start >= ms) {
        clearInterval(tick);
        stop();
        return;
      }
      const due = Math.floor(((now - start) * o.rate) / 1000);
      for (; sent < due; sent++) {
        const scheduled = start + (sent * 1000) / o.rate;
        const lane = idle.pop();
        if (lane) dispatch(lane, scheduled);
        else queue.push(scheduled);
      }
    }, 1);
  });
}

const failures = [];
const fail = (e) => {
  failures.push(String(e?.message ?? e));
  if (failures.length === 1) {
    console.log(JSON.stringify({ error: failures[0] }));
    process.exit(1);
  }
};
const lanes = [];
const conns = [];
for (let s = 0; s < (o.protocol === 'h2' ? (o.sessions ?? 1) : o.concurrency); s++) {
  const conn = o.protocol === 'h2' ? await openH2(fail) : await openH1(fail);
  conns.push(conn);
}
// HTTP/1.1: one lane per connection. HTTP/2: `concurrency` lanes (streams) spread over the sessions.
for (let i = 0; i < o.concurrency; i++) lanes.push({ conn: conns[i % conns.length] });
const hardStop = setTimeout(() => fail(new Error('load generator overran its time bound')), (o.warmupMs ?? 0) + o.durationMs + 15_000);
if (o.warmupMs) await phase(lanes, o.warmupMs);
const result = await phase(lanes, o.durationMs);
clearTimeout(hardStop);
for (const c of conns) c.close();
console.log(JSON.stringify({ ...result, requests: answered }));
process.exit(0);
