import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildOpenAPIV2, buildOpenAPIV3, openAPIGroupVersions, type OpenAPIOptions } from '@custom-metrics/core';

/** One served document: its bytes, kube-openapi's ETag (SHA-512, upper-case hex) and build time. */
export interface ServedDocument {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
}

/** The set of OpenAPI documents, built once. */
export interface OpenAPIDocuments {
  readonly v2: ServedDocument;
  /** `/openapi/v3`: `{"paths":{"apis/<g>/<v>":{"serverRelativeURL":"/openapi/v3/apis/<g>/<v>?hash=<etag>"}}}`. */
  readonly v3Discovery: ServedDocument;
  /** By group-version path (`apis/custom.metrics.k8s.io/v1beta2`). */
  readonly v3: ReadonlyMap<string, ServedDocument>;
}

function served(doc: unknown, lastModified: Date): ServedDocument {
  const body = Buffer.from(JSON.stringify(doc));
  return { body, etag: createHash('sha512').update(body).digest('hex').toUpperCase(), lastModified };
}

/** The URL of a v3 document pinned to its content, as kube-openapi's `constructServerRelativeURL`. */
export function v3DocumentURL(gv: string, etag: string): string {
  return `/openapi/v3/${gv}?hash=${etag}`;
}

/** The server's own version, for `info.version`. */
export function serverVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** buildOpenAPIDocuments renders every document once (the served groups do not change at run time). */
export function buildOpenAPIDocuments(options: OpenAPIOptions, now: Date = new Date()): OpenAPIDocuments {
  const v3 = new Map<string, ServedDocument>();
  for (const gv of openAPIGroupVersions(options)) v3.set(gv, served(buildOpenAPIV3(gv, options), now));
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [gv, doc] of v3) paths[gv] = { serverRelativeURL: v3DocumentURL(gv, doc.etag) };
  return { v2: served(buildOpenAPIV2(options), now), v3Discovery: served({ paths }, now), v3 };
}
