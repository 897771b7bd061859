#!/usr/bin/env node
// The soak's load generator, run in its own process (bench/soak.mjs starts it) so its CPU and
// memory are not the server's. Argument: one JSON object {url, paths, seconds, connections,
// maxRequests, ca, cert, key}. Runs autocannon over loopback TLS with a client certificate,
// bounded by both duration and request count, and prints its result as one JSON line.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const o = JSON.parse(process.argv[2]);
const tlsOptions = { ca: readFileSync(o.ca), cert: readFileSync(o.cert), key: readFileSync(o.key) };
let i = 0;
const r = await autocannon({
  url: o.url,
  connections: o.connections,
  duration: o.seconds,
  maxOverallRequests: o.maxRequests,
  tlsOptions,
  requests: [{ setupRequest: (req) => ({ ...req, path: o.paths[i++ % o.paths.length] }) }],
});
process.stdout.write(`${JSON.stringify({ requests: r.requests.total, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, statusCodes: r.statusCodeStats })}\n`);
