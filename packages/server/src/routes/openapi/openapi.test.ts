import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../../../test-support/index.js';
import { startTestServer, type TestServer } from '../../../test/support/harness.js';
import { fixture } from '../../../test/support/fixtures.js';

type Doc = Record<string, unknown> & { paths: Record<string, { get: Record<string, unknown> }> };
type Schemas = Record<string, Record<string, unknown>>;

const GVS = ['apis/custom.metrics.k8s.io/v1beta1', 'apis/custom.metrics.k8s.io/v1beta2', 'apis/external.metrics.k8s.io/v1beta1', 'apis/metrics.k8s.io/v1beta1'];

/** Every `$ref` in `doc`. */
function refs(doc: unknown, out: string[] = []): string[] {
  if (Array.isArray(doc)) doc.forEach((d) => refs(d, out));
  else if (typeof doc === 'object' && doc !== null) {
    for (const [k, v] of Object.entries(doc)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

/**
 * OpenAPI 3.0 schemas → JSON Schema for ajv: `nullable` becomes "or null", and objects with
 * `properties` are closed, so a served document with a field the spec does not describe fails.
 */
function toJSONSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJSONSchema);
  if (typeof s !== 'object' || s === null) return s;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (k !== 'nullable' && !k.startsWith('x-')) o[k] = toJSONSchema(v);
  if (o.properties && o.additionalProperties === undefined) o.additionalProperties = false;
  return (s as { nullable?: boolean }).nullable ? { anyOf: [{ type: 'null' }, o] } : o;
}

function kindSchema(schemas: Schemas, apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const found = Object.entries(schemas).find(([, s]) =>
    ((s['x-kubernetes-group-version-kind'] ?? []) as Array<Record<string, string>>).some((g) => g.group === group && g.version === version && g.kind === kind),
  );
  if (!found) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return found[0];
}

describe('/openapi/v2 and /openapi/v3', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('serves a Swagger 2.0 document of every route whose $refs all resolve, with an ETag and 304', async () => {
    const res = await s.getJSON('/openapi/v2', { accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers.etag).toMatch(/^"[0-9A-F]{128}"$/);
    const doc = res.json as Doc & { definitions: Schemas };
    expect(doc).toMatchObject({ swagger: '2.0', info: { title: 'custom-metrics-server' } });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/apis/custom.metrics.k8s.io/v1beta1/{resource}/{name}/{subresource}',
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/{resource}/{name}/{subresource}',
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/{name}/metrics/{subresource}',
        '/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{resource}',
        '/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}',
        '/apis/metrics.k8s.io/v1beta1/nodes',
      ]),
    );
    const ids = Object.values(doc.paths).map((p) => p.get.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of refs(doc)) expect(doc.definitions[r.replace('#/definitions/', '')], r).toBeDefined();
    for (const kind of ['MetricValueList', 'ExternalMetricValueList', 'PodMetrics', 'PodMetricsList', 'NodeMetrics', 'NodeMetricsList']) {
      expect(Object.values(doc.definitions).some((d) => JSON.stringify(d['x-kubernetes-group-version-kind'] ?? []).includes(`"kind":"${kind}"`)), kind).toBe(true);
    }
    const again = await s.request('/openapi/v2', { headers: { 'if-none-match': res.headers.etag as string } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('lists one v3 document per served group-version, each pinned by its hash', async () => {
    const res = await s.getJSON('/openapi/v3');
    expect(res.status).toBe(200);
    const paths = (res.json as { paths: Record<string, { serverRelativeURL: string }> }).paths;
    expect(Object.keys(paths).sort()).toEqual(GVS);
    for (const gv of GVS) {
      const url = paths[gv].serverRelativeURL;
      expect(url).toMatch(new RegExp(`^/openapi/v3/${gv}\\?hash=[0-9A-F]{128}$`));
      const doc = await s.getJSON(url);
      expect(doc.status, url).toBe(200);
      expect(doc.headers.etag).toBe(`"${url.split('hash=')[1]}"`);
      expect(doc.headers['cache-control']).toBe('public, immutable');
      expect(doc.json).toMatchObject({ openapi: '3.0.0' });
      const schemas = (doc.json as { components: { schemas: Schemas } }).components.schemas;
      for (const r of refs(doc.json)) expect(schemas[r.replace('#/components/schemas/', '')], r).toBeDefined();
      for (const p of Object.keys((doc.json as Doc).paths)) expect(p.startsWith(`/${gv}/`), p).toBe(true);
      // Without the hash: the same bytes, but revalidated like every other answer.
      const plain = await s.request(`/openapi/v3/${gv}`);
      expect(plain.body).toBe(doc.body);
      expect(plain.headers['cache-control']).toBe('no-cache, private');
    }
  });

  it('redirects a stale hash to the current document, and answers Status errors for the rest', async () => {
    const stale = await s.request('/openapi/v3/apis/custom.metrics.k8s.io/v1beta2?hash=0123');
    expect(stale.status).toBe(301);
    expect(stale.headers.location).toMatch(/^\/openapi\/v3\/apis\/custom\.metrics\.k8s\.io\/v1beta2\?hash=[0-9A-F]{128}$/);
    for (const p of ['/openapi/v3/apis/apps/v1', '/openapi/v4', '/openapi/v2/x']) {
      const res = await s.getJSON(p);
      expect(res.status, p).toBe(404);
      expect(res.body).toBe(fixture('status-notfound-route.json'));
    }
    const proto = await s.getJSON('/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    expect(proto.status).toBe(406);
    expect(proto.json).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
    expect((await s.request('/openapi/v2', { method: 'POST' })).status).toBe(405);
  });

  it('describes exactly the documents the server writes: every contract fixture validates against its kind', async () => {
    const index = (await s.getJSON('/openapi/v3')).json as { paths: Record<string, { serverRelativeURL: string }> };
    const cases: Array<[string, string]> = [
      ['apis/custom.metrics.k8s.io/v1beta1', 'custom-v1beta1-pods-list.json'],
      ['apis/custom.metrics.k8s.io/v1beta1', 'custom-v1beta1-object.json'],
      ['apis/custom.metrics.k8s.io/v1beta1', 'custom-v1beta1-nodes-list.json'],
      ['apis/custom.metrics.k8s.io/v1beta2', 'custom-v1beta2-pods-list.json'],
      ['apis/custom.metrics.k8s.io/v1beta2', 'custom-v1beta2-object.json'],
      ['apis/custom.metrics.k8s.io/v1beta2', 'custom-v1beta2-namespace-metric.json'],
      ['apis/custom.metrics.k8s.io/v1beta2', 'custom-v1beta2-empty-list.json'],
      ['apis/custom.metrics.k8s.io/v1beta2', 'discovery-custom-v1beta2.json'],
      ['apis/custom.metrics.k8s.io/v1beta2', 'status-notfound-metric.json'],
      ['apis/custom.metrics.k8s.io/v1beta2', 'status-forbidden.json'],
      ['apis/custom.metrics.k8s.io/v1beta2', 'status-internalerror.json'],
      ['apis/external.metrics.k8s.io/v1beta1', 'external-v1beta1-list.json'],
      ['apis/metrics.k8s.io/v1beta1', 'podmetrics-list.json'],
      ['apis/metrics.k8s.io/v1beta1', 'podmetrics-single.json'],
      ['apis/metrics.k8s.io/v1beta1', 'nodemetrics-list.json'],
      ['apis/metrics.k8s.io/v1beta1', 'status-podmetrics-notfound.json'],
    ];
    for (const [gv, file] of cases) {
      const doc = (await s.getJSON(index.paths[gv].serverRelativeURL)).json as { components: { schemas: Schemas } };
      const schemas = doc.components.schemas;
      const body = JSON.parse(fixture(file)) as { apiVersion: string; kind: string };
      const name = kindSchema(schemas, body.apiVersion, body.kind);
      const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
      const validate = ajv.compile({ $ref: `#/components/schemas/${name}`, components: { schemas: toJSONSchema(schemas) } });
      expect(validate(body) ? [] : validate.errors, file).toEqual([]);
    }
    // And the closing is real: an undescribed field fails.
    const doc = (await s.getJSON(index.paths['apis/external.metrics.k8s.io/v1beta1'].serverRelativeURL)).json as { components: { schemas: Schemas } };
    const validate = new Ajv({ strict: false, validateFormats: false }).compile({
      $ref: '#/components/schemas/io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList',
      components: { schemas: toJSONSchema(doc.components.schemas) },
    });
    expect(validate({ ...(JSON.parse(fixture('external-v1beta1-list.json')) as object), extra: 1 })).toBe(false);
  });
});

const kubectl = requireBinary('kubectl', 'install kubectl: https://kubernetes.io/docs/tasks/tools/');

describe.skipIf(!kubectl)('kubectl explain against the served OpenAPI v3', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  const explain = async (...args: string[]) =>
    (
      await promisify(execFile)(kubectl as string, ['--server', s.url, 'explain', ...args], {
        env: { PATH: process.env.PATH ?? '', KUBECONFIG: '/dev/null', HOME: '/tmp' },
        timeout: 30_000,
      })
    ).stdout;

  it('explains metrics.k8s.io kinds and their fields from the documents (discovery maps the resource, the path gives the kind)', async () => {
    const pods = await explain('pods.metrics.k8s.io');
    expect(pods).toMatch(/KIND:\s+PodMetrics/);
    expect(pods).toMatch(/VERSION:\s+v1beta1/);
    expect(pods).toContain('containers');
    const usage = await explain('nodes.metrics.k8s.io.usage');
    expect(usage).toMatch(/KIND:\s+NodeMetrics/);
    expect(usage).toContain('Resource usage');
  });
});

describe('OpenAPI without a resource-metrics backend', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { backends: [{ name: 'm', type: 'memory' }] } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('leaves metrics.k8s.io out of both versions', async () => {
    const v3 = (await s.getJSON('/openapi/v3')).json as { paths: Record<string, unknown> };
    expect(Object.keys(v3.paths).sort()).toEqual(GVS.slice(0, 3));
    const v2 = (await s.getJSON('/openapi/v2')).json as Doc;
    expect(Object.keys(v2.paths).some((p) => p.startsWith('/apis/metrics.k8s.io/'))).toBe(false);
    expect((await s.request('/openapi/v3/apis/metrics.k8s.io/v1beta1')).status).toBe(404);
  });
});
