// HttpTemplateClient against a loopback HTTP server: the request it sends, the answers it accepts,
// and the 503s (with generic messages) for everything else.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetricsError } from '@custom-metrics/core';
import { HttpTemplateClient } from '../src/index.js';

let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void = (_q, _b, res) => res.end('{}');
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => handler(req, body, res));
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = (timeoutMs = 5_000) => new HttpTemplateClient({ url, timeoutMs, maxResponseBytes: 4096 });
const query = { series: 'q', matchers: [{ label: 'queue', op: 'in' as const, values: ["it's \"x\""] }] };
const signal = () => new AbortController().signal;
const status = (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (isMetricsError(e) ? e.code : -1));

describe('HttpTemplateClient', () => {
  it('POSTs the query as JSON and keeps the series with finite values', async () => {
    let seen: { method?: string; path?: string; body?: unknown } = {};
    handler = (req, body, res) => {
      seen = { method: req.method, path: req.url, body: JSON.parse(body) };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ series: [{ labels: { queue: 'x' }, value: 2.5, timestampMs: 1000 }, { labels: {}, value: null }, { labels: { a: 'b' }, value: 1 }] }));
    };
    const got = await client().query(query, signal());
    expect(seen).toEqual({ method: 'POST', path: '/api/v1/series/query', body: query });
    expect(got[0]).toEqual({ labels: { queue: 'x' }, value: 2.5, timestampMs: 1000 });
    expect(got.map((s) => s.value)).toEqual([2.5, 1]);
  });

  it('is a 503 for an error status, invalid JSON, an oversized answer and an unreachable API', async () => {
    handler = (_q, _b, res) => res.writeHead(500).end('boom');
    expect(await status(client().query(query, signal()))).toBe(503);
    handler = (_q, _b, res) => res.end('not json');
    expect(await status(client().query(query, signal()))).toBe(503);
    handler = (_q, _b, res) => res.end(JSON.stringify({ series: [], pad: 'x'.repeat(10_000) }));
    expect(await status(client().query(query, signal()))).toBe(503);
    const gone = new HttpTemplateClient({ url: 'http://127.0.0.1:1', timeoutMs: 5_000, maxResponseBytes: 4096 });
    expect(await status(gone.query(query, signal()))).toBe(503);
  });

  it('classifies error statuses with core\'s failure table', async () => {
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (isMetricsError(e) ? { code: e.code, message: e.message } : undefined));
    handler = (_q, _b, res) => res.writeHead(400).end('{"error":"unknown label"}');
    expect(await failure(client().query(query, signal()))).toEqual({ code: 500, message: "Internal error occurred: the metrics API rejected the query (HTTP 400); check the rule's series and label names" });
    handler = (_q, _b, res) => res.writeHead(403).end();
    expect(await failure(client().query(query, signal()))).toMatchObject({ code: 503, message: expect.stringMatching(/refused our credentials \(HTTP 403\)/) });
    handler = (_q, _b, res) => res.writeHead(429).end();
    expect(await failure(client().query(query, signal()))).toMatchObject({ code: 503, message: expect.stringMatching(/rate-limiting/) });
    handler = (_q, _b, res) => res.writeHead(502).end('upstream detail');
    expect(await failure(client().query(query, signal()))).toEqual({ code: 503, message: 'the metrics API answered HTTP 502; retry later' });
  });

  it('is a 503 when the API does not answer within timeoutMs, and rethrows the caller abort', async () => {
    handler = () => undefined; // never answers
    await expect(client(100).query(query, signal())).rejects.toThrow(/did not answer in time/);
    const ac = new AbortController();
    const p = client().query(query, ac.signal);
    ac.abort(new Error('caller gave up'));
    await expect(p).rejects.toThrow('caller gave up');
  });
});
