// A local HTTP double of InfluxDB 2.x's POST /api/v2/query: it records each request (path, org,
// headers, JSON body) and answers with annotated CSV as InfluxDB documents it (#datatype, #group
// and #default annotation rows, a header row starting with an empty annotation column, one table
// per group, CRLF line ends).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded request. */
export interface RecordedQuery {
  method: string;
  path: string;
  org: string | null;
  headers: IncomingMessage['headers'];
  body: { query?: string; type?: string; dialect?: { header?: boolean; annotations?: string[]; delimiter?: string; commentPrefix?: string } };
}

/** A column of an annotated-CSV table. */
export interface CsvColumn {
  name: string;
  datatype: string;
  group: boolean;
}

/** What the double answers: CSV text, or an error status with a JSON body, or no answer at all. */
export type DoubleAnswer = { csv: string } | { status: number; json: unknown } | { hang: true };

/** Builds an annotated-CSV response from tables sharing one schema (result `_result`). */
export function annotatedCsv(columns: CsvColumn[], tables: string[][][]): string {
  const lines = [
    ['#group', 'false', 'false', ...columns.map((c) => String(c.group))].join(','),
    ['#datatype', 'string', 'long', ...columns.map((c) => c.datatype)].join(','),
    ['#default', '_result', '', ...columns.map(() => '')].join(','),
    ['', 'result', 'table', ...columns.map((c) => c.name)].join(','),
  ];
  tables.forEach((rows, t) => {
    for (const r of rows) lines.push(['', '', String(t), ...r.map(csvCell)].join(','));
  });
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Flux's error table (annotated CSV spec, "Errors"): what InfluxDB streams inside a 200 answer
 * when a query fails during execution, alone or after tables already sent.
 */
export function errorTable(message: string, reference = ''): string {
  return ['#datatype,string,string', '#group,true,true', '#default,,', ',error,reference', `,${csvCell(message)},${reference}`].join('\r\n') + '\r\n\r\n';
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The usual columns of a `last()` result grouped by extra tag columns. */
export function lastColumns(tags: string[]): CsvColumn[] {
  return [
    { name: '_start', datatype: 'dateTime:RFC3339', group: true },
    { name: '_stop', datatype: 'dateTime:RFC3339', group: true },
    { name: '_time', datatype: 'dateTime:RFC3339', group: false },
    { name: '_value', datatype: 'double', group: false },
    { name: '_field', datatype: 'string', group: true },
    { name: '_measurement', datatype: 'string', group: true },
    ...tags.map((t) => ({ name: t, datatype: 'string', group: true })),
  ];
}

/** The running double. */
export interface FluxDouble {
  readonly url: string;
  readonly requests: RecordedQuery[];
  /** Sets how the next requests are answered. */
  answer(fn: (q: RecordedQuery) => DoubleAnswer): void;
  close(): Promise<void>;
}

/** Starts the double on a free 127.0.0.1 port. */
export async function startFluxDouble(): Promise<FluxDouble> {
  const requests: RecordedQuery[] = [];
  let answer: (q: RecordedQuery) => DoubleAnswer = () => ({ csv: '\r\n' });
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://double');
      let body: RecordedQuery['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedQuery['body'];
      } catch {
        body = {};
      }
      const q: RecordedQuery = { method: req.method ?? '', path: u.pathname, org: u.searchParams.get('org'), headers: req.headers, body };
      requests.push(q);
      if (q.method !== 'POST' || q.path !== '/api/v2/query') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'not found', message: 'path not found' }));
        return;
      }
      const a = answer(q);
      if ('hang' in a) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if ('csv' in a) {
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(a.csv);
        return;
      }
      res.writeHead(a.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(a.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (fn) => {
      answer = fn;
    },
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
