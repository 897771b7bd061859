import type { Context } from 'koa';
import {
  BadRequestError,
  MethodNotAllowedError,
  methodNotSupported,
  parseSelector,
  isSelectorParseError,
  routeNotFound,
  type GroupResource,
  Selector,
} from '@custom-metrics/core';

export { routeNotFound };

/** Throws the 405 Status unless the request is a GET (or HEAD). */
export function requireGet(ctx: Context): void {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw new MethodNotAllowedError();
}

/**
 * pathSegments splits the raw (still percent-encoded) request path after `prefix` into segments
 * and percent-decodes each (`%2A` → `*`). One trailing slash is ignored. An empty segment anywhere
 * else makes the path match no route (404); a malformed escape is a 400.
 */
export function pathSegments(rawPath: string, prefix: string): string[] {
  let rest = rawPath.slice(prefix.length);
  if (rest.startsWith('/')) rest = rest.slice(1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest === '') return [];
  const segments = rest.split('/');
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg === '') throw routeNotFound();
    // Without a `%` there is nothing to decode (and nothing malformed).
    if (seg.includes('%')) segments[i] = decodeSegment(seg);
  }
  return segments;
}

function decodeSegment(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    throw new BadRequestError(`invalid URL escape in path segment ${JSON.stringify(seg.slice(0, 100))}`);
  }
}

/** The parameters of every request without a query string (never modified). */
const NO_PARAMS = new URLSearchParams();

/** The last query string parsed and its parameters ({@link queryParams}). */
let lastQuery = '';
let lastParams = NO_PARAMS;

/**
 * The first value of each query parameter, decoded as Go does (`+` is a space). The parameters
 * depend only on the text, so the last text's are reused (a request asks for them more than once,
 * and clients such as the HPA controller repeat the same query); nothing is parsed for an empty
 * query string. Callers only read the result, never modify it.
 */
export function queryParams(ctx: Context): URLSearchParams {
  const text = ctx.querystring;
  if (text === '') return NO_PARAMS;
  if (text !== lastQuery) {
    lastParams = new URLSearchParams(text);
    lastQuery = text;
  }
  return lastParams;
}

/** Parses a label selector parameter; absent or empty → everything. A parse error → 400 with the parser's message. */
export function selectorParam(params: URLSearchParams, name: string): Selector {
  const text = params.get(name);
  if (text === null || text === '') return Selector.everything();
  try {
    return parseSelector(text);
  } catch (e) {
    if (isSelectorParseError(e)) throw new BadRequestError((e as Error).message);
    throw e;
  }
}

/**
 * isWatch reads `watch` as apimachinery's `Convert_Slice_string_To_bool` does: present and
 * neither `0` nor `false` (any case) means a watch, so `?watch` alone is one.
 */
export function isWatch(params: URLSearchParams): boolean {
  const v = params.get('watch');
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * rejectWatch throws the 405 apiserver's `ListResource` answers for a storage that cannot watch
 * (`NewMethodNotSupported(scope.Resource, "watch")`): nothing here streams, so a watch is refused
 * instead of answered with a list the client would misread as an event stream.
 */
export function rejectWatch(params: URLSearchParams, resource: GroupResource): void {
  if (isWatch(params)) throw methodNotSupported(resource, 'watch');
}

/** The fields apimachinery's default field-label conversion accepts for every kind. */
export const FIELD_SELECTOR_FIELDS: readonly string[] = ['metadata.name', 'metadata.namespace'];

/** One `field=value` / `field==value` / `field!=value` term of a field selector. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/**
 * parseFieldSelector parses a field selector (`metadata.name=x,metadata.namespace!=y`) and checks
 * its fields against `allowed`.
 * @throws {BadRequestError} on a malformed term or an unsupported field.
 */
export function parseFieldSelector(text: string | null, allowed: readonly string[]): FieldRequirement[] {
  if (text === null || text.trim() === '') return [];
  const out: FieldRequirement[] = [];
  for (const raw of text.split(',')) {
    const term = raw.trim();
    if (term === '') continue; // as `fields.ParseSelector`, which skips empty terms
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new BadRequestError(`invalid field selector: ${JSON.stringify(term)}: expected field=value, field==value or field!=value`);
    const field = m[1];
    if (!allowed.includes(field)) {
      throw new BadRequestError(`field label not supported: ${field} (supported: ${allowed.join(', ')})`);
    }
    out.push({ field, operator: m[2] === '!=' ? '!=' : '=', value: m[3] });
  }
  return out;
}

/** Whether `fields` (name → value) satisfies every requirement. */
export function fieldsMatch(reqs: readonly FieldRequirement[], fields: Readonly<Record<string, string>>): boolean {
  return reqs.every((r) => (r.operator === '=' ? fields[r.field] === r.value : fields[r.field] !== r.value));
}
