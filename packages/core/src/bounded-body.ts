/**
 * Bounded reading of a backend's answer. Pure: it works over any `AsyncIterable<Uint8Array>`
 * (a node stream, a WHATWG `ReadableStream`, node-fetch's body), so every backend client shares
 * one byte limit and one error without core doing I/O.
 */
import { ServiceUnavailableError } from './errors.js';

/** The default of every backend's `maxResponseBytes`: 32 MiB, which fits a 256 MiB heap. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

const BRAND = Symbol.for('@custom-metrics/core/ResponseTooLargeError');

/**
 * ResponseTooLargeError is the 503 for a backend answer past `maxResponseBytes`. Its message names
 * the limit and how to fix it; the server prefixes the backend instance's name. Check for it with
 * {@link isResponseTooLargeError}.
 */
export class ResponseTooLargeError extends ServiceUnavailableError {
  /** The limit that was passed, in bytes. */
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(
      `the metrics backend's answer is larger than maxResponseBytes (${limitBytes} bytes); ` +
        'narrow the query or raise maxResponseBytes in this backend\'s config (and the memory limit with it)',
    );
    this.limitBytes = limitBytes;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Brand check for {@link ResponseTooLargeError}, across copies of core. */
export function isResponseTooLargeError(e: unknown): e is ResponseTooLargeError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * checkDeclaredLength throws {@link ResponseTooLargeError} when a declared `Content-Length` is
 * past `limitBytes`, so a client refuses a huge answer before reading any of it.
 */
export function checkDeclaredLength(contentLength: string | null | undefined, limitBytes: number): void {
  if (contentLength === null || contentLength === undefined || !/^\s*\d+\s*$/.test(contentLength)) return;
  if (Number(contentLength) > limitBytes) throw new ResponseTooLargeError(limitBytes);
}

/**
 * boundedChunks passes `source`'s chunks through, and throws {@link ResponseTooLargeError} as soon
 * as their total passes `limitBytes` (before yielding the chunk that passes it). Breaking out of
 * the loop returns the source iterator, which destroys a node stream and releases its socket.
 */
export async function* boundedChunks(source: AsyncIterable<Uint8Array | string>, limitBytes: number): AsyncGenerator<Uint8Array | string> {
  let total = 0;
  for await (const chunk of source) {
    total += typeof chunk === 'string' ? utf8Length(chunk) : chunk.byteLength;
    if (total > limitBytes) throw new ResponseTooLargeError(limitBytes);
    yield chunk;
  }
}

/**
 * readBounded reads all of `source` into one byte array of at most `limitBytes`, and throws
 * {@link ResponseTooLargeError} (having stopped reading) past it.
 */
export async function readBounded(source: AsyncIterable<Uint8Array | string>, limitBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const encoder = new TextEncoder();
  for await (const chunk of boundedChunks(source, limitBytes)) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    chunks.push(bytes);
    total += bytes.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** readBoundedText is {@link readBounded} decoded as UTF-8. */
export async function readBoundedText(source: AsyncIterable<Uint8Array | string>, limitBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBounded(source, limitBytes));
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
