import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';

/** One HTTP/2 answer: status, response headers and the body as text. */
export interface H2Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/**
 * h2Send sends one request on `session` (`method`, default GET, with `headers`) and returns its
 * stream (to reset it, say) and the answer once the stream ends.
 */
export function h2Send(session: ClientHttp2Session, path: string, headers: Record<string, string | string[]> = {}, method = 'GET'): { stream: ClientHttp2Stream; done: Promise<H2Answer> } {
  const stream = session.request({ ':path': path, ':method': method, ...headers });
  const done = new Promise<H2Answer>((resolve, reject) => {
    let status = 0;
    let resHeaders: H2Answer['headers'] = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      resHeaders = h as H2Answer['headers'];
    });
    stream.on('data', (b: Buffer) => chunks.push(b));
    stream.on('end', () => resolve({ status, headers: resHeaders, body: Buffer.concat(chunks).toString() }));
    stream.on('error', reject);
  });
  stream.end();
  return { stream, done };
}

/** The answer to one request on `session` ({@link h2Send}). */
export function h2Request(session: ClientHttp2Session, path: string, headers: Record<string, string | string[]> = {}, method = 'GET'): Promise<H2Answer> {
  return h2Send(session, path, headers, method).done;
}
