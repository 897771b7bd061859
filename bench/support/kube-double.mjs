/* global Buffer */
// A loopback kube-apiserver double for the benchmarks (plain HTTP): discovery, list and watch of
// pods/nodes/namespaces/deployments, SubjectAccessReview (allows everyone; counts the reviews) and
// TokenReview (authenticates nobody). Just enough for the server's informers and delegated authz.
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RESOURCES = [
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false },
  { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews', kind: 'TokenReview', namespaced: false },
];

/** Starts the double; `objects` maps a resource name (`pods`, ...) to its objects. */
export async function startKubeDouble(objects) {
  const stats = { subjectAccessReviews: 0 };
  const watches = new Set();
  const json = (res, code, body) => {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const resourceList = (group, version) => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: RESOURCES.filter((r) => r.group === group && r.version === version).map((r) => ({
      name: r.resource, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind,
      verbs: r.resource.endsWith('reviews') ? ['create'] : ['get', 'list', 'watch'],
    })),
  });
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))].map((name) => ({
    name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
  }));
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://double');
      const parts = url.pathname.split('/').filter(Boolean);
      if (url.pathname === '/api') return json(res, 200, { kind: 'APIVersions', versions: ['v1'] });
      if (url.pathname === '/apis') return json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
      if (parts[0] === 'api' && parts.length === 2) return json(res, 200, resourceList('', parts[1]));
      if (parts[0] === 'apis' && parts.length === 2) return json(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...groups.find((g) => g.name === parts[1]) });
      if (parts[0] === 'apis' && parts.length === 3) return json(res, 200, resourceList(parts[1], parts[2]));
      let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
      const group = parts[0] === 'api' ? '' : parts[1];
      let namespace = '';
      if (rest[0] === 'namespaces' && rest.length >= 3) [namespace, rest] = [rest[1], rest.slice(2)];
      const r = RESOURCES.find((x) => x.group === group && x.resource === rest[0]);
      if (!r) return json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound' });
      if (req.method === 'POST' && r.resource === 'subjectaccessreviews') {
        stats.subjectAccessReviews++;
        const spec = JSON.parse(Buffer.concat(chunks).toString() || '{}').spec ?? {};
        return json(res, 201, { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec, status: { allowed: true } });
      }
      if (req.method === 'POST' && r.resource === 'tokenreviews') {
        return json(res, 201, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', status: { authenticated: false } });
      }
      if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        watches.add(res);
        res.on('close', () => watches.delete(res));
        return undefined;
      }
      const items = (objects[r.resource] ?? [])
        .filter((o) => !namespace || o.metadata.namespace === namespace)
        .map((o) => ({ apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, ...o, metadata: { uid: `uid-${o.metadata.name}`, resourceVersion: '10', ...o.metadata } }));
      return json(res, 200, { kind: `${r.kind}List`, apiVersion: 'v1', metadata: { resourceVersion: '10' }, items });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    stats,
    /** Writes a kubeconfig pointing at the double and returns its path. */
    writeKubeconfig(dir) {
      const file = join(dir, 'kube-double.kubeconfig');
      writeFileSync(file, JSON.stringify({
        apiVersion: 'v1', kind: 'Config',
        clusters: [{ name: 'double', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'bench', user: { token: 'bench-token' } }],
        contexts: [{ name: 'double', context: { cluster: 'double', user: 'bench' } }],
        'current-context': 'double',
      }));
      return file;
    },
    close() {
      for (const w of watches) w.end();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
