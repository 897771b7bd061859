import { describe, expect, it } from 'vitest';
import { isInfluxQueryError } from '../errors.js';
import { InfluxQLClient, type InfluxQLClientOptions } from './influxql-client.js';

interface Seen {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function client(options: Partial<InfluxQLClientOptions>, reply: (s: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fake = (async (input: string | URL | Request, init?: RequestInit) => {
    const s: Seen = { url: new URL(String(input)), method: init?.method ?? 'GET', headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body as string | undefined };
    seen.push(s);
    return reply(s);
  }) as typeof fetch;
  const c = new InfluxQLClient({ url: 'http://influx:8086', database: 'db', authMethod: 'basic', httpMethod: 'POST', timeoutMs: 1_000, fetch: fake, ...options });
  return { c, seen };
}
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const signal = () => new AbortController().signal;

describe('InfluxQLClient requests', () => {
  it('POSTs q as a form body with db, rp, epoch=ms and basic auth', async () => {
    const { c, seen } = client({ retentionPolicy: 'autogen', username: 'u', password: 'p:w' }, () => json({ results: [{ statement_id: 0 }] }));
    await c.query('SELECT 1', { signal: signal() });
    const s = seen[0];
    expect(s.method).toBe('POST');
    expect(s.url.pathname).toBe('/query');
    expect(Object.fromEntries(s.url.searchParams)).toEqual({ db: 'db', epoch: 'ms', rp: 'autogen' });
    expect(new URLSearchParams(s.body).get('q')).toBe('SELECT 1');
    expect(s.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(s.headers.Authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
  });

  it('GET with u/p parameters', async () => {
    const { c, seen } = client({ httpMethod: 'GET', username: 'u', password: 'p', authMethod: 'query' }, () => json({ results: [] }));
    await c.query("SELECT 'x'", { signal: signal() });
    expect(Object.fromEntries(seen[0].url.searchParams)).toEqual({ db: 'db', epoch: 'ms', u: 'u', p: 'p', q: "SELECT 'x'" });
    expect(seen[0].headers.Authorization).toBeUndefined();
  });

  it('Authorization: Token for the 2.x/3.x v1 compatibility API', async () => {
    const { c, seen } = client({ token: 'tok' }, () => json({ results: [] }));
    await c.query('SELECT 1', { signal: signal() });
    expect(seen[0].headers.Authorization).toBe('Token tok');
  });
});

describe('InfluxQLClient results', () => {
  it('flattens series into rows with tags, string columns, time and value', async () => {
    const { c } = client({}, () =>
      json({
        results: [
          {
            statement_id: 0,
            series: [
              { name: 'm', tags: { pod: 'a', tier: '' }, columns: ['time', 'last'], values: [[1000, 1.5], [2000, null]] },
              { name: 'm', columns: ['time', 'mean', 'host'], values: [[3000, 2, 'h1']] },
            ],
          },
        ],
      }),
    );
    expect(await c.query('q', { signal: signal() })).toEqual([
      { labels: { pod: 'a' }, time: 1000, value: 1.5 },
      { labels: { pod: 'a' }, time: 2000, value: null },
      { labels: { host: 'h1' }, time: 3000, value: 2 },
    ]);
  });

  it('uses valueColumn when configured', async () => {
    const { c } = client({}, () => json({ results: [{ series: [{ columns: ['time', 'a', 'b'], values: [[1, 1, 2]] }] }] }));
    expect((await c.query('q', { valueColumn: 'b', signal: signal() }))[0].value).toBe(2);
  });

  it.each([
    ['a statement error', () => json({ results: [{ statement_id: 0, error: 'database not found: x' }] }), 'query'],
    ['HTTP 400', () => json({ error: 'error parsing query' }, 400), 'query'],
    ['HTTP 401', () => json({ error: 'authorization failed' }, 401), 'unavailable'],
    ['HTTP 503', () => new Response('down', { status: 503 }), 'unavailable'],
    ['a non-JSON 200', () => new Response('<html>', { status: 200 }), 'unavailable'],
    ['a network failure', () => Promise.reject(new TypeError('fetch failed')), 'unavailable'],
  ])('%s is an InfluxQueryError of the expected kind', async (_n, reply, kind) => {
    const { c } = client({}, reply);
    const err = await c.query('q', { signal: signal() }).catch((e: unknown) => e);
    expect(isInfluxQueryError(err) && err.kind).toBe(kind);
  });

  it('a caller abort rethrows the abort reason; a deadline is "unavailable"', async () => {
    const hang = (s: Seen, sig?: AbortSignal) => new Promise<Response>((_, reject) => sig?.addEventListener('abort', () => reject(sig.reason)));
    const seenSignals: AbortSignal[] = [];
    const fake = ((_u: string, init?: RequestInit) => (seenSignals.push(init!.signal!), hang({} as Seen, init?.signal ?? undefined))) as unknown as typeof fetch;
    const c = new InfluxQLClient({ url: 'http://x', database: 'db', authMethod: 'basic', httpMethod: 'POST', timeoutMs: 50, fetch: fake });
    const timedOut = await c.query('q', { signal: signal() }).catch((e: unknown) => e);
    expect(isInfluxQueryError(timedOut) && timedOut.kind).toBe('unavailable');
    const ac = new AbortController();
    const p = c.query('q', { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
