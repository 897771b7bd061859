#!/usr/bin/env node
// A server under benchmark, in its own process (bench/overhead.bench.mjs starts it, the load
// generator runs in another process). Argument: JSON { kind: 'full' | 'minimal', dir, noDelay }.
//   full     the real server (startServer: TLS serving with HTTP/2 + HTTP/1.1, x509 and front-proxy
//            authentication, SubjectAccessReview authorization with its caches against the kube
//            double, routing, memory backend, rendering, request log and metrics), files in `dir`
//   minimal  a koa + @koa/router route on http2.createSecureServer (allowHTTP1, client certificate
//            requested) building the same 10-item MetricValueList: the floor to compare against
// noDelay: set TCP_NODELAY on every accepted TLS socket (bench-only; the serving layer gets it
// from another change). Sends { port } over IPC once listening; answers 'cpu' with { cpuMicros }
// (its CPU time so far); exits on 'stop'.
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncBuiltinESMExports } from 'node:module';
import { fullServerOptions } from './overhead-fixture.mjs';

const o = JSON.parse(process.argv[2]);
const original = http2.createSecureServer;
http2.createSecureServer = (...args) => {
  const server = original(...args);
  if (o.noDelay) server.on('secureConnection', (socket) => socket.setNoDelay(true));
  return server;
};
syncBuiltinESMExports();

let stop;
if (o.kind === 'full') {
  await import('reflect-metadata');
  const { startServer } = await import('@custom-metrics/server');
  const running = await startServer(join(o.dir, 'config.yaml'), fullServerOptions(o.dir));
  process.send({ port: running.port });
  stop = () => running.shutdown();
} else {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const pods = JSON.parse(readFileSync(join(o.dir, 'pods.json'), 'utf8'));
  const app = new Koa();
  const router = new Router();
  router.get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/:namespace/pods/:name/:metric', (ctx) => {
    const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const items = pods.map((p) => ({
      describedObject: { kind: 'Pod', namespace: ctx.params.namespace, name: p.name, apiVersion: '/v1' },
      metric: { name: ctx.params.metric, selector: null },
      timestamp,
      value: p.value,
    }));
    ctx.set('Content-Type', 'application/json');
    ctx.body = JSON.stringify({ kind: 'MetricValueList', apiVersion: 'custom.metrics.k8s.io/v1beta2', metadata: {}, items }) + '\n';
  });
  app.use(router.routes());
  const server = http2.createSecureServer({
    cert: readFileSync(join(o.dir, 'serving.crt')),
    key: readFileSync(join(o.dir, 'serving.key')),
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    allowHTTP1: true,
  }, app.callback());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send({ port: server.address().port });
  stop = () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
    setTimeout(resolve, 2000).unref();
  });
}
process.on('message', async (m) => {
  // CPU time used so far (user + system, µs): the bench reads it around each load phase.
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send({ cpuMicros: u.user + u.system });
    return;
  }
  if (m === 'stop') {
    await stop();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
