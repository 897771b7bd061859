import 'reflect-metadata';
import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Middleware } from 'koa';
import type { BackendPlugin, KubeLookup, KubeObject } from '@custom-metrics/core';
import { FakeKubeLookup } from '@custom-metrics/core/testing';
import { BackendLoader } from '../../src/backends/loader.js';
import { buildContainer, type ServerContainer } from '../../src/container.js';
import { validateConfig } from '../../src/config/validate.js';
import { createLogger } from '../../src/observability/logger.js';
import { fixtureBackend, FIXTURE_NOW, FIXTURE_OBJECTS } from './fixture-backend.js';

/** A response as the raw HTTP client saw it. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An in-process server under test. */
export interface TestServer {
  readonly url: string;
  readonly sc: ServerContainer;
  readonly kube: KubeLookup;
  /** Log lines written by the server (JSON). */
  readonly logs: string[];
  /** Sends a raw request (the path is sent exactly as given, no normalisation). */
  request(path: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse>;
  /** GET and parse JSON. */
  getJSON(path: string, headers?: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; json: unknown; body: string }>;
  close(): Promise<void>;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /** Raw config (validated like a file); default: one `fixture` backend. */
  config?: Record<string, unknown>;
  objects?: KubeObject[];
  kube?: KubeLookup;
  /** Extra plugins importable by npm name. */
  plugins?: Record<string, BackendPlugin>;
  authenticate?: Middleware;
  authorize?: Middleware;
  now?: () => Date;
}

/** Test double: every request is user `tester` (or anonymous with header `x-test-anonymous`). */
export const allowAllAuthentication: Middleware = async (ctx, next) => {
  ctx.state.user = ctx.get('x-test-anonymous') ? { name: 'system:anonymous', groups: ['system:unauthenticated'] } : { name: 'tester', groups: ['system:authenticated'] };
  await next();
};

/** Test double: allows everything. */
export const allowAllAuthorization: Middleware = async (_ctx, next) => {
  await next();
};

/**
 * startTestServer builds the server's container with doubles (FakeKubeLookup, allow-all
 * security, fixture plugins) and serves its koa app over plain HTTP on 127.0.0.1 (port 0).
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const raw = options.config ?? { backends: [{ name: 'fixtures', type: 'fixture' }] };
  const config = validateConfig(raw);
  const plugins: Record<string, BackendPlugin> = { fixture: fixtureBackend as BackendPlugin, ...(options.plugins ?? {}) };
  const loader = new BackendLoader(process.cwd(), async (specifier) => {
    const p = plugins[specifier];
    // The built-in packages (e.g. `memory`) are real imports; anything else must be a fixture.
    if (!p && specifier.startsWith('@custom-metrics/backend-')) return (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
    if (!p) throw new Error(`Cannot find package '${specifier}'`);
    return { default: p };
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (logs.length < 5000) logs.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger('info', sink as unknown as Parameters<typeof createLogger>[1]);
  const kube = options.kube ?? new FakeKubeLookup({ objects: options.objects ?? FIXTURE_OBJECTS });
  const sc = await buildContainer({
    config,
    kube,
    logger,
    authentication: options.authenticate ?? allowAllAuthentication,
    authorization: options.authorize ?? allowAllAuthorization,
    loader,
    now: options.now ?? (() => FIXTURE_NOW),
  });
  await sc.startBackends();
  const server: Server = createServer(sc.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const request = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    new Promise<RawResponse>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (init.body !== undefined) req.write(init.body);
      req.end();
    });
  return {
    url: `http://127.0.0.1:${port}`,
    sc,
    kube,
    logs,
    request,
    async getJSON(path, headers) {
      const res = await request(path, { headers });
      let json: unknown;
      try {
        json = JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json, body: res.body };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sc.closeBackends(1000);
    },
  };
}
