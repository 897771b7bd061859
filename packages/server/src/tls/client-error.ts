import type { Duplex } from 'node:stream';
import { encodeJSON, type Status } from '@custom-metrics/core';
import { MAX_REQUEST_HEADER_BYTES } from './limits.js';

/** The message of a 431: the limit and what to do about it. */
export const HEADERS_TOO_LARGE_MESSAGE = `request header fields too large: the request line and headers may total at most ${MAX_REQUEST_HEADER_BYTES} bytes; send a shorter URL (e.g. a smaller labelSelector) or fewer headers`;

/** A failure `metav1.Status` written outside koa (no reason: apiserver has none for these codes). */
export function failureStatus(code: number, message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code };
}

const TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' };

/** The Status of an HTTP/1.1 parse error, as Node's own `clientError` handler picks the code. */
function statusFor(code: string | undefined): Status {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return failureStatus(431, HEADERS_TOO_LARGE_MESSAGE);
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return failureStatus(413, 'chunk extensions too large: send a request without chunk extensions');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return failureStatus(408, 'the request headers did not arrive in time: send the whole request at once');
    default:
      return failureStatus(400, `malformed HTTP/1.1 request (${code ?? 'parse error'}): send a well-formed request`);
  }
}

/**
 * answerClientError answers an HTTP/1.1 request Node could not parse (the server's `clientError`)
 * with a `metav1.Status` body instead of Node's empty response, then closes the connection. The
 * rest of the request is read and dropped meanwhile, so the client sees the answer rather than a
 * reset; the socket is destroyed after `lingerMs` at the latest.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex & { _httpMessage?: { headersSent?: boolean } | null }, lingerMs = 2_000): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const status = statusFor(err.code);
  const body = encodeJSON(status);
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 ${status.code} ${TEXT[status.code]}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), lingerMs).unref();
}

/** Size of an HTTP/2 header list as RFC 9113 §6.5.2 counts it: name + value + 32 per field. */
export function headerListSize(rawHeaders: readonly string[]): number {
  let n = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) n += rawHeaders[i].length + rawHeaders[i + 1].length + 32;
  return n;
}
