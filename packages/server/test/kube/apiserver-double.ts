// A kube-apiserver test double speaking the real wire format for exactly what the server uses:
// discovery, list + watch (labelSelector, fieldSelector, resourceVersion, limit/continue, chunked
// JSON-lines watch events), single-object GET, TokenReview and SubjectAccessReview. HTTPS on
// 127.0.0.1 with its own CA, so @kubernetes/client-node talks to it unchanged.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSelector } from '@custom-metrics/core';
import { createCA, issueCert, type TestCert } from './certs.js';

/** One resource type the double serves. */
export interface DoubleResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** A stored object (any Kubernetes JSON with metadata). */
export interface KubeJSON {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; uid?: string; resourceVersion?: string };
  [k: string]: unknown;
}

/** One request the double received. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: string;
  authorization?: string;
}

/** A user as a TokenReview reports it. */
export interface DoubleUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** The decision of the SubjectAccessReview policy. */
export interface SarDecision {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
}

export const DEFAULT_RESOURCES: DoubleResource[] = [
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews', kind: 'TokenReview', namespaced: false },
  { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false },
];

interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeJSON;
}

interface Watcher {
  resource: string;
  namespace: string;
  matches: (o: KubeJSON) => boolean;
  res: ServerResponse;
}

const grKey = (r: Pick<DoubleResource, 'group' | 'resource'>) => (r.group ? `${r.resource}.${r.group}` : r.resource);

function status(code: number, reason: string, message: string, details?: object): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/**
 * KubeApiserverDouble: `await KubeApiserverDouble.start()`, then `writeKubeconfig(dir)` for the
 * server under test. Scripting: `tokens` (token → user), `sarPolicy`, `failSar`,
 * `failTokenReview`, `forbidden` (RBAC 403s), `upsert`/`remove` objects; `requests` is the log.
 */
export class KubeApiserverDouble {
  readonly requests: LoggedRequest[] = [];
  /** Bearer tokens the TokenReview endpoint accepts. */
  readonly tokens = new Map<string, DoubleUser>();
  /** Decides SubjectAccessReviews (default: allow nothing). */
  sarPolicy: (spec: Record<string, unknown>) => SarDecision = () => ({ allowed: false });
  /** When true, SubjectAccessReview answers 500. */
  failSar = false;
  /** When true, TokenReview answers 500. */
  failTokenReview = false;
  /**
   * Resources (`pods`, `datadogmetrics.datadoghq.com`) the server's own identity may not read:
   * their list, watch and get answer kube-apiserver's 403 Forbidden Status (RBAC missing).
   */
  readonly forbidden = new Set<string>();
  /** TLS connections accepted so far (kept-alive connections are counted once). */
  tlsConnections = 0;
  /** The token the server under test authenticates to the double with. */
  readonly adminToken = 'double-admin-token';

  readonly #resources: DoubleResource[];
  readonly #objects = new Map<string, Map<string, KubeJSON>>();
  readonly #events = new Map<string, WatchEvent[]>();
  readonly #watchers = new Set<Watcher>();
  #rv = 100;

  private constructor(
    readonly ca: TestCert,
    private readonly server: Server,
    readonly port: number,
    resources: DoubleResource[],
  ) {
    this.#resources = [...resources];
    for (const r of resources) {
      this.#objects.set(grKey(r), new Map());
      this.#events.set(grKey(r), []);
    }
  }

  /** Starts the double on 127.0.0.1 (a free port). */
  static async start(resources: DoubleResource[] = DEFAULT_RESOURCES): Promise<KubeApiserverDouble> {
    const ca = createCA('kube-double-ca');
    const serving = issueCert(ca, { commonName: 'kube-apiserver', altNames: ['127.0.0.1', 'localhost'] });
    const ref: { self?: KubeApiserverDouble } = {};
    const server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => ref.self!.handle(req, res));
    server.on('secureConnection', () => {
      if (ref.self) ref.self.tlsConnections++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    ref.self = new KubeApiserverDouble(ca, server, port, resources);
    return ref.self;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Writes a kubeconfig for the double (CA data, bearer `adminToken`) and returns its path. */
  writeKubeconfig(dir: string, name = 'double.kubeconfig'): string {
    const file = join(dir, name);
    const kc = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'double', cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.ca.cert).toString('base64') } }],
      users: [{ name: 'server', user: { token: this.adminToken } }],
      contexts: [{ name: 'double', context: { cluster: 'double', user: 'server' } }],
      'current-context': 'double',
    };
    writeFileSync(file, JSON.stringify(kc));
    return file;
  }

  /** Requests matching `method` and a path prefix (query ignored). */
  requestsTo(method: string, pathPrefix: string): LoggedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  #resource(group: string, resource: string): DoubleResource | undefined {
    return this.#resources.find((r) => r.group === group && r.resource === resource);
  }

  /** Installs a resource type after start (a CRD applied later): discovery lists it from now on. */
  install(resource: DoubleResource): void {
    if (this.#resource(resource.group, resource.resource)) throw new Error(`double: ${resource.resource}.${resource.group} is already installed`);
    this.#resources.push(resource);
    this.#objects.set(grKey(resource), new Map());
    this.#events.set(grKey(resource), []);
  }

  /** Creates or replaces an object of `resource` (`pods`, `deployments.apps`, ...) and notifies watchers. */
  upsert(resource: string, obj: KubeJSON): KubeJSON {
    const [res, ...g] = resource.split('.');
    const r = this.#resource(g.join('.'), res);
    if (!r) throw new Error(`double: unknown resource ${resource}`);
    const map = this.#objects.get(grKey(r))!;
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const type = map.has(key) ? 'MODIFIED' : 'ADDED';
    const rv = ++this.#rv;
    const stored: KubeJSON = {
      ...obj,
      apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
      kind: r.kind,
      metadata: { uid: `uid-${key}`, ...obj.metadata, resourceVersion: String(rv) },
    };
    map.set(key, stored);
    this.#emit(grKey(r), { rv, type, object: stored });
    return stored;
  }

  /** Deletes an object and notifies watchers; returns whether it existed. */
  remove(resource: string, namespace: string | undefined, name: string): boolean {
    const [res, ...g] = resource.split('.');
    const r = this.#resource(g.join('.'), res);
    if (!r) return false;
    const map = this.#objects.get(grKey(r))!;
    const key = `${namespace ?? ''}/${name}`;
    const old = map.get(key);
    if (!old) return false;
    map.delete(key);
    const rv = ++this.#rv;
    this.#emit(grKey(r), { rv, type: 'DELETED', object: { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } } });
    return true;
  }

  #emit(key: string, ev: WatchEvent): void {
    const log = this.#events.get(key)!;
    log.push(ev);
    if (log.length > 1000) log.shift();
    for (const w of this.#watchers) {
      if (w.resource !== key) continue;
      if (w.namespace && ev.object.metadata.namespace !== w.namespace) continue;
      if (!w.matches(ev.object)) continue;
      w.res.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
    }
  }

  /** Ends every open watch (clients re-watch from their last resourceVersion). */
  endWatches(): void {
    for (const w of this.#watchers) w.res.end();
    this.#watchers.clear();
  }

  async close(): Promise<void> {
    this.endWatches();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- HTTP handling

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://double');
      const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, authorization: req.headers.authorization });
      try {
        this.route(req.method ?? 'GET', url, body, res);
      } catch (e) {
        this.json(res, 500, status(500, 'InternalError', (e as Error).message));
      }
    });
  }

  private json(res: ServerResponse, code: number, obj: unknown): void {
    const text = JSON.stringify(obj);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private resourceList(group: string, version: string): object {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: this.#resources
        .filter((r) => r.group === group && r.version === version)
        .map((r) => ({
          name: r.resource,
          singularName: r.kind.toLowerCase(),
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: r.resource.endsWith('reviews') ? ['create'] : ['get', 'list', 'watch'],
        }))
        .flatMap((r) => (r.name === 'pods' ? [r, { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }] : [r])),
    };
  }

  private groups(): Array<{ name: string; version: string }> {
    const seen = new Map<string, string>();
    for (const r of this.#resources) if (r.group && !seen.has(r.group)) seen.set(r.group, r.version);
    return [...seen].map(([name, version]) => ({ name, version }));
  }

  private route(method: string, url: URL, body: string | undefined, res: ServerResponse): void {
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
    if (method === 'GET' && url.pathname === '/api') return this.json(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (method === 'GET' && url.pathname === '/apis') {
      return this.json(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: this.groups().map((g) => ({
          name: g.name,
          versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }],
          preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version },
        })),
      });
    }
    if (parts[0] === 'api' && parts.length === 2 && method === 'GET') return this.json(res, 200, this.resourceList('', parts[1]));
    if (parts[0] === 'apis' && parts.length === 2 && method === 'GET') {
      const g = this.groups().find((x) => x.name === parts[1]);
      if (!g) return this.json(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      const gv = { groupVersion: `${g.name}/${g.version}`, version: g.version };
      return this.json(res, 200, { kind: 'APIGroup', apiVersion: 'v1', name: g.name, versions: [gv], preferredVersion: gv });
    }
    if (parts[0] === 'apis' && parts.length === 3 && method === 'GET') return this.json(res, 200, this.resourceList(parts[1], parts[2]));

    let rest: string[];
    let group = '';
    if (parts[0] === 'api') rest = parts.slice(2);
    else if (parts[0] === 'apis') {
      group = parts[1];
      rest = parts.slice(3);
    } else return this.json(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    let namespace = '';
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const r = this.#resource(group, rest[0]);
    if (!r) return this.json(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));

    if (method === 'POST' && r.resource === 'tokenreviews') return this.tokenReview(body, res);
    if (method === 'POST' && r.resource === 'subjectaccessreviews') return this.subjectAccessReview(body, res);
    if (method !== 'GET') return this.json(res, 405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));

    const key = grKey(r);
    if (this.forbidden.has(key)) {
      const verb = rest.length === 2 ? 'get' : url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' ? 'watch' : 'list';
      const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      return this.json(
        res,
        403,
        status(403, 'Forbidden', `${key} is forbidden: User "system:serviceaccount:custom-metrics:custom-metrics-server" cannot ${verb} resource "${r.resource}" in API group "${r.group}" ${scope}`, {
          group: r.group,
          kind: r.resource,
        }),
      );
    }
    const map = this.#objects.get(key)!;
    if (rest.length === 2) {
      const obj = map.get(`${r.namespaced ? namespace : ''}/${rest[1]}`);
      if (!obj) {
        return this.json(res, 404, status(404, 'NotFound', `${key} "${rest[1]}" not found`, { name: rest[1], group: r.group, kind: r.resource }));
      }
      return this.json(res, 200, obj);
    }
    const matches = this.matcher(url.searchParams);
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      return this.watch(key, namespace, matches, Number(url.searchParams.get('resourceVersion') || '0'), res);
    }
    const items = [...map.values()]
      .filter((o) => (!namespace || o.metadata.namespace === namespace) && matches(o))
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
    const limit = Number(url.searchParams.get('limit') || '0');
    const offset = Number(url.searchParams.get('continue') || '0');
    const page = limit > 0 ? items.slice(offset, offset + limit) : items;
    const next = limit > 0 && offset + limit < items.length ? String(offset + limit) : undefined;
    this.json(res, 200, {
      kind: `${r.kind}List`,
      apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
      metadata: { resourceVersion: String(this.#rv), ...(next ? { continue: next } : {}) },
      items: page,
    });
  }

  private matcher(q: URLSearchParams): (o: KubeJSON) => boolean {
    const sel = parseSelector(q.get('labelSelector') ?? '');
    const field = q.get('fieldSelector') ?? '';
    const m = /^metadata\.name==?(.*)$/.exec(field);
    const name = m?.[1];
    return (o) => sel.matches(o.metadata.labels ?? {}) && (name === undefined || o.metadata.name === name);
  }

  private watch(key: string, namespace: string, matches: (o: KubeJSON) => boolean, fromRv: number, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // kube-apiserver sends the watch response headers at once; clients wait for them.
    res.flushHeaders();
    const w: Watcher = { resource: key, namespace, matches, res };
    for (const ev of this.#events.get(key) ?? []) {
      if (ev.rv <= fromRv) continue;
      if (namespace && ev.object.metadata.namespace !== namespace) continue;
      if (!matches(ev.object)) continue;
      res.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
    }
    this.#watchers.add(w);
    res.on('close', () => this.#watchers.delete(w));
  }

  private tokenReview(body: string | undefined, res: ServerResponse): void {
    if (this.failTokenReview) return this.json(res, 500, status(500, 'InternalError', 'tokenreview backend down'));
    const review = JSON.parse(body ?? '{}') as { spec?: { token?: string } };
    const user = this.tokens.get(review.spec?.token ?? '');
    this.json(res, 201, {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      spec: review.spec ?? {},
      status: user ? { authenticated: true, user, audiences: ['https://kubernetes.default.svc.cluster.local'] } : { user: {} },
    });
  }

  private subjectAccessReview(body: string | undefined, res: ServerResponse): void {
    if (this.failSar) return this.json(res, 500, status(500, 'InternalError', 'authorizer down'));
    const review = JSON.parse(body ?? '{}') as { spec?: Record<string, unknown> };
    const decision = this.sarPolicy(review.spec ?? {});
    this.json(res, 201, {
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: review.spec ?? {},
      status: { allowed: decision.allowed, ...(decision.denied ? { denied: true } : {}), ...(decision.reason ? { reason: decision.reason } : {}) },
    });
  }
}
