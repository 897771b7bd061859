// Small HTTPS/HTTP2 clients for the tests (client certificates, custom headers, raw header lines).
import { request } from 'node:https';
import { connect, constants } from 'node:http2';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface ClientOptions {
  ca?: string;
  cert?: string;
  key?: string;
  /** Header lines, sent in order (repeated names allowed). */
  headers?: Array<[string, string]>;
  method?: string;
  maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = unknown>(): T;
  peer?: PeerCertificate;
  alpn?: string | false;
}

/** One HTTPS/1.1 request (no connection reuse). */
export function httpsGet(url: string, o: ClientOptions = {}): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const flat: string[] = [];
    for (const [k, v] of o.headers ?? []) flat.push(k, v);
    const req = request(
      url,
      {
        method: o.method ?? 'GET',
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        agent: false,
        maxVersion: o.maxVersion,
        servername: 'localhost',
        headers: flat.length ? (flat as unknown as Record<string, string>) : undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const socket = res.socket as TLSSocket;
        const peer = socket.getPeerCertificate?.();
        const alpn = socket.alpnProtocol ?? undefined;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T, peer, alpn });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** One HTTP/2 request over a fresh session. */
export function h2Get(origin: string, path: string, o: ClientOptions = {}): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const session = connect(origin, { ca: o.ca, cert: o.cert, key: o.key, servername: 'localhost' });
    session.on('error', reject);
    const headers: Record<string, string | string[]> = { [constants.HTTP2_HEADER_PATH]: path, [constants.HTTP2_HEADER_METHOD]: o.method ?? 'GET' };
    for (const [k, v] of o.headers ?? []) {
      const key = k.toLowerCase();
      const cur = headers[key];
      headers[key] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
    }
    const stream = session.request(headers);
    let status = 0;
    let resHeaders: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      resHeaders = h as Record<string, string | string[] | undefined>;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const alpn = session.alpnProtocol;
      session.close();
      const body = Buffer.concat(chunks).toString('utf8');
      resolve({ status, headers: resHeaders, body, json: <T>() => JSON.parse(body) as T, alpn });
    });
    stream.end();
  });
}
