/**
 * RequestInfo as kube-apiserver computes it (apiserver `pkg/endpoints/request/requestinfo.go`):
 * the attributes that authorization (SubjectAccessReview) sees for a request (contract §1.2, §7.5).
 */
export interface RequestInfo {
  /** Whether the path addresses a resource (`/apis/<g>/<v>/...` or `/api/<v>/...`). */
  readonly isResourceRequest: boolean;
  /** The request path as given (still percent-encoded when it was). */
  readonly path: string;
  /** Kubernetes verb: `get`, `list`, `watch`, `create`, ... ; non-resource requests use the lower-cased method. */
  readonly verb: string;
  /** `api` or `apis`; `""` for non-resource requests. */
  readonly apiPrefix: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  /** `""` when cluster-scoped. */
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  /** Object name; `*` is kept as is. `""` for collections. */
  readonly name: string;
  /** The decoded path segments after prefix, group, version and namespace were removed. */
  readonly parts: readonly string[];
}

const API_PREFIXES = new Set(['api', 'apis']);
const GROUPLESS_PREFIXES = new Set(['api']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const VERB_OF_METHOD: Readonly<Record<string, string>> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function decodeSegment(segment: string): string {
  // Most segments have no escape: nothing to decode (decodeURIComponent would return them as is).
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/').map(decodeSegment);
}

function nonResource(method: string, path: string): RequestInfo {
  return {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
}

function first(v: string | readonly string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0];
}

/** The value of a `metadata.name=<v>` / `metadata.name==<v>` term of a field selector, if any. */
function exactFieldName(fieldSelector: string | undefined): string | undefined {
  if (!fieldSelector) return undefined;
  for (const term of fieldSelector.split(',')) {
    const m = /^\s*metadata\.name\s*(==|=)\s*(.*?)\s*$/.exec(term);
    if (m) return m[2];
  }
  return undefined;
}

function isValidPathSegmentName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

/**
 * parseRequestInfo reproduces apiserver's `RequestInfoFactory.NewRequestInfo` for a method and a
 * path (each segment is percent-decoded, so `%2A` is `*`). `/apis`, `/apis/<g>`, `/apis/<g>/<v>`,
 * `/healthz` and every path outside `/api` and `/apis` are non-resource requests (verb = lower-cased
 * method). For resource requests `namespaces/<ns>/<x>` moves `<ns>` into `namespace` unless `<x>` is
 * `status` or `finalize`; the verb of GET is `get` when a name segment exists (including `*`) and
 * `list` otherwise (`watch` when `query.watch` is present and neither `0` nor `false`).
 */
export function parseRequestInfo(
  method: string,
  path: string,
  query?: Readonly<Record<string, string | readonly string[] | undefined>>,
): RequestInfo {
  let parts = splitPath(path);
  if (parts.length < 3 || !API_PREFIXES.has(parts[0])) return nonResource(method, path);
  const apiPrefix = parts[0];
  parts = parts.slice(1);
  let apiGroup = '';
  if (!GROUPLESS_PREFIXES.has(apiPrefix)) {
    if (parts.length < 3) return nonResource(method, path);
    apiGroup = parts[0];
    parts = parts.slice(1);
  }
  const apiVersion = parts[0];
  parts = parts.slice(1);

  let verb = VERB_OF_METHOD[method.toUpperCase()] ?? '';

  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  const resource = parts.length >= 1 ? parts[0] : '';
  let name = parts.length >= 2 ? parts[1] : '';
  const subresource = parts.length >= 3 ? parts[2] : '';

  if (name === '' && verb === 'get') {
    const watch = first(query?.watch);
    // apiserver: any `watch` value but `0`/`false` (any case) is a watch, even an empty one.
    verb = watch !== undefined && watch !== '0' && watch.toLowerCase() !== 'false' ? 'watch' : 'list';
    const exact = exactFieldName(first(query?.fieldSelector));
    if (exact !== undefined && isValidPathSegmentName(exact)) name = exact;
  }
  if (name === '' && verb === 'delete') verb = 'deletecollection';
  return {
    isResourceRequest: true,
    path,
    verb,
    apiPrefix,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
    parts,
  };
}
