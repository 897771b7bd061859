import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isResponseTooLargeError } from '@custom-metrics/core';
import { freePort } from '../../../../test-support/index.js';
import { FluxClient } from './flux-client.js';
import { InfluxQLClient } from './influxql-client.js';

const MiB = 1024 * 1024;
const LIMIT = MiB;
/** The double never sends more than this, whether or not the client hangs up. */
const CAP = 64 * MiB;

/** Streams `head`, then `item` repeated until the client leaves or CAP, then `tail`. */
function stream(res: ServerResponse, contentType: string, head: string, item: string, tail: string, counter: { sent: number }): void {
  res.writeHead(200, { 'Content-Type': contentType });
  res.write(head);
  const chunk = item.repeat(Math.ceil((64 * 1024) / item.length));
  let closed = false;
  res.on('close', () => (closed = true));
  const pump = () => {
    while (!closed && counter.sent < CAP) {
      counter.sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!closed) res.end(tail);
  };
  pump();
}

describe('InfluxDB clients bound every answer by maxResponseBytes', () => {
  let server: Server;
  let base: string;
  const counter = { sent: 0 };
  let declared = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (declared) {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(300 * MiB) });
          return void res.write('{"results":[');
        }
        if (req.url?.startsWith('/api/v2/query')) {
          const head = '#datatype,string,long,dateTime:RFC3339,double,string\n#group,false,false,false,false,true\n#default,_result,,,,\n,result,table,_time,_value,pod\n';
          return stream(res, 'text/csv', head, `,,0,2024-01-01T00:00:00Z,1,${'p'.repeat(200)}\n`, '\n', counter);
        }
        const row = `[1700000000000,1,"${'p'.repeat(200)}"],`;
        stream(res, 'application/json', '{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","value","pod"],"values":[', row, '[1,1,"x"]]}]}]}', counter);
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const signal = () => new AbortController().signal;

  it('InfluxQL: stops reading past the limit with a 503 naming it', async () => {
    counter.sent = 0;
    declared = false;
    const c = new InfluxQLClient({ url: base, database: 'db', authMethod: 'basic', httpMethod: 'POST', timeoutMs: 20_000, maxResponseBytes: LIMIT });
    const err = await c.query('SELECT value FROM m', { signal: signal() }).catch((e: unknown) => e);
    expect(isResponseTooLargeError(err)).toBe(true);
    expect(err).toMatchObject({ code: 503, limitBytes: LIMIT });
    expect(counter.sent).toBeLessThan(CAP / 2);
  });

  it('InfluxQL: refuses a declared Content-Length past the limit', async () => {
    declared = true;
    try {
      const c = new InfluxQLClient({ url: base, database: 'db', authMethod: 'basic', httpMethod: 'GET', timeoutMs: 20_000, maxResponseBytes: LIMIT });
      await expect(c.query('SELECT 1', { signal: signal() })).rejects.toMatchObject({ code: 503, limitBytes: LIMIT });
    } finally {
      declared = false;
    }
  });

  it('Flux: cancels the streamed query past the limit with a 503 naming it', async () => {
    counter.sent = 0;
    const c = new FluxClient({ url: base, token: 't', org: 'o', timeoutMs: 20_000, maxResponseBytes: LIMIT });
    const err = await c.query('from(bucket: "b")', { signal: signal() }).catch((e: unknown) => e);
    expect(isResponseTooLargeError(err)).toBe(true);
    expect(err).toMatchObject({ code: 503, limitBytes: LIMIT });
    expect(counter.sent).toBeLessThan(CAP / 2);
  });

  it('reads an answer under the limit as before', async () => {
    counter.sent = CAP; // the doubles send only head and tail
    const ql = new InfluxQLClient({ url: base, database: 'db', authMethod: 'basic', httpMethod: 'POST', timeoutMs: 20_000, maxResponseBytes: LIMIT });
    expect(await ql.query('SELECT value FROM m', { signal: signal() })).toEqual([{ labels: { pod: 'x' }, time: 1, value: 1 }]);
  });
});
