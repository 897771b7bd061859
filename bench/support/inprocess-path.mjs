#!/usr/bin/env node
/* global performance */
// The server's request path in-process, without TLS or sockets: the real server (startServer with
// the overhead bench's config: memory backend, x509 and front-proxy authentication,
// SubjectAccessReview against the loopback kube-apiserver double) is started, its request listener
// is taken from http2.createSecureServer, and called in a loop with small request/response objects
// standing for node's (a TLS socket that presents the client certificate, a response that records
// the answer). Prints the JavaScript cost of one request in µs (best of the rounds), for comparing
// changes to the request path with less noise than the load test; the load test (overhead.bench.mjs)
// remains the measure of record. Usage: node bench/support/inprocess-path.mjs [x509|front-proxy] [rounds] [requests]
import http2 from 'node:http2';
import { EventEmitter } from 'node:events';
import { X509Certificate, randomBytes } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { OVERHEAD_PATH, overheadFixture } from './overhead-fixture.mjs';

const client = process.argv[2] ?? 'x509';
const ROUNDS = Number(process.argv[3] ?? 5);
const N = Number(process.argv[4] ?? 20000);
const PATH = OVERHEAD_PATH;

const fixture = await overheadFixture(10);

let listener;
const original = http2.createSecureServer;
http2.createSecureServer = (options, handler) => {
  listener = handler;
  return original(options, handler);
};
syncBuiltinESMExports();
await import('reflect-metadata');
const { startServer } = await import('@custom-metrics/server');
const running = await startServer(fixture.configFile, { ...fixture.serverOptions, logLevel: process.env.LOG_LEVEL ?? 'info' });

/** What `getPeerCertificate(true)` returns for a certificate issued by `ca`. */
function peerCertificate(pem, caPem) {
  const leaf = new X509Certificate(pem);
  const ca = new X509Certificate(caPem);
  const caDetail = { raw: ca.raw, fingerprint256: ca.fingerprint256 };
  caDetail.issuerCertificate = caDetail;
  return { raw: leaf.raw, fingerprint256: leaf.fingerprint256, issuerCertificate: caDetail };
}
const chosen = fixture.clients[client === 'x509' ? 'x509' : 'front proxy'];
const cert = peerCertificate(chosen.cert, chosen.issuerCert);
const identity = chosen.headers.flat();

class FakeSocket extends EventEmitter {
  finished = randomBytes(48);
  writable = true;
  getPeerFinished() { return this.finished; }
  getProtocol() { return 'TLSv1.3'; }
  getPeerCertificate() { return cert; }
}
const socket = new FakeSocket();

class FakeResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  finished = false;
  socket = socket;
  #headers = new Map();
  constructor(done) { super(); this.done = done; }
  setHeader(k, v) { this.#headers.set(k.toLowerCase(), v); return this; }
  getHeader(k) { return this.#headers.get(k.toLowerCase()); }
  removeHeader(k) { this.#headers.delete(k.toLowerCase()); }
  hasHeader(k) { return this.#headers.has(k.toLowerCase()); }
  getHeaderNames() { return [...this.#headers.keys()]; }
  writeHead(code) { this.statusCode = code; return this; }
  end(body) {
    this.headersSent = true;
    this.writableEnded = this.finished = this.writableFinished = true;
    this.body = body;
    this.emit('finish');
    this.emit('close');
    this.done(this);
  }
}

function request() {
  const rawHeaders = ['Host', 'localhost', ...identity];
  const headers = { host: 'localhost' };
  for (let i = 2; i < rawHeaders.length; i += 2) {
    const k = rawHeaders[i].toLowerCase();
    headers[k] = headers[k] === undefined ? rawHeaders[i + 1] : `${headers[k]}, ${rawHeaders[i + 1]}`;
  }
  return { method: 'GET', url: PATH, headers, rawHeaders, httpVersionMajor: 1, httpVersion: '1.1', socket, connection: socket, complete: true, on() {}, once() {}, off() {}, removeListener() {} };
}

function one() {
  return new Promise((resolve) => listener(request(), new FakeResponse(resolve)));
}
const first = await one();
const items = first.statusCode === 200 ? JSON.parse(first.body).items : undefined;
if (items?.length !== 10) {
  console.error(`expected 10 items, got ${first.statusCode}: ${String(first.body).slice(0, 300)}`);
  process.exit(1);
}
// Bytes allocated per request: the young generation's usage freed by the scavenges of the rounds
// (v8.GCProfiler), with the usage left at the end of the rounds.
const { GCProfiler, getHeapSpaceStatistics } = await import('node:v8');
const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size;
const gcProfiler = new GCProfiler();
gcProfiler.start();
const newSpaceBefore = newSpace();
let best = Infinity;
let bestCpu = Infinity;
for (let r = 0; r < ROUNDS; r++) {
  const t = performance.now();
  const c = process.cpuUsage();
  // 16 requests in flight, as the load test's HTTP/1.1 connections.
  let left = N;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (left-- > 0) await one();
  }));
  const us = ((performance.now() - t) * 1000) / N;
  const cpu = process.cpuUsage(c);
  best = Math.min(best, us);
  bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / N);
  if (process.env.VERBOSE) console.error(`round ${r + 1}: ${us.toFixed(2)} µs/request`);
}
const gcs = gcProfiler.stop();
let freed = 0;
for (const g of gcs.statistics) {
  const before = g.beforeGC.heapSpaceStatistics.find((s) => s.spaceName === 'new_space');
  const after = g.afterGC.heapSpaceStatistics.find((s) => s.spaceName === 'new_space');
  if (g.gcType === 'Scavenge' && before && after) freed += before.spaceUsedSize - after.spaceUsedSize;
}
const allocatedPerRequest = Math.round((freed + newSpace() - newSpaceBefore) / (ROUNDS * N));
// The server logs on stdout (run with >/dev/null as the load test does); the result goes to stderr.
console.error(JSON.stringify({ client, usPerRequest: Number(best.toFixed(2)), cpuUsPerRequest: Number(bestCpu.toFixed(2)), youngBytesPerRequest: allocatedPerRequest, scavenges: gcs.statistics.filter((g) => g.gcType === 'Scavenge').length }));
await running.shutdown();
await fixture.double.close();
process.exit(0);
