import { describe, expect, it } from 'vitest';
import { buildOpenAPIV2, buildOpenAPIV3, openAPIGroupVersions } from './openapi.js';
import { OPENAPI_DEFINITIONS } from './openapi-schemas.js';

const OPTS = { title: 't', version: '1.2.3', resourceMetrics: true };

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

describe('OpenAPI documents', () => {
  it('lists the metrics.k8s.io group-version only when resource metrics are served', () => {
    expect(openAPIGroupVersions(OPTS)).toEqual([
      'apis/custom.metrics.k8s.io/v1beta1',
      'apis/custom.metrics.k8s.io/v1beta2',
      'apis/external.metrics.k8s.io/v1beta1',
      'apis/metrics.k8s.io/v1beta1',
    ]);
    expect(openAPIGroupVersions({ ...OPTS, resourceMetrics: false })).not.toContain('apis/metrics.k8s.io/v1beta1');
    expect(buildOpenAPIV3('apis/metrics.k8s.io/v1beta1', { ...OPTS, resourceMetrics: false })).toBeUndefined();
    expect(buildOpenAPIV3('apis/apps/v1', OPTS)).toBeUndefined();
  });

  it('v2: every $ref resolves, operation IDs are unique, only referenced models are included', () => {
    const doc = buildOpenAPIV2(OPTS) as { info: unknown; paths: Record<string, { get: { operationId: string } }>; definitions: Record<string, unknown> };
    expect(doc.info).toEqual({ title: 't', version: '1.2.3' });
    const r = refs(doc).map((x) => x.replace('#/definitions/', ''));
    for (const name of r) expect(doc.definitions[name], name).toBeDefined();
    expect(Object.keys(doc.definitions).sort()).toEqual([...new Set(r)].sort());
    const ids = Object.values(doc.paths).map((p) => p.get.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('v3: components hold the closure of each group-version\'s answers, with v3 refs and nullable', () => {
    for (const gv of openAPIGroupVersions(OPTS)) {
      const doc = buildOpenAPIV3(gv, OPTS) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
      for (const ref of refs(doc)) {
        expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
        expect(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
      }
      expect(JSON.stringify(doc)).not.toContain('x-nullable');
    }
    const v1 = buildOpenAPIV3('apis/custom.metrics.k8s.io/v1beta1', OPTS) as { components: { schemas: Record<string, { properties: Record<string, { nullable?: boolean }> }> } };
    expect(v1.components.schemas['io.k8s.metrics.pkg.apis.custom_metrics.v1beta1.MetricValue'].properties.selector.nullable).toBe(true);
    expect(Object.keys(v1.components.schemas).some((n) => n.includes('v1beta2'))).toBe(false);
  });

  it('tags every top-level kind with its group-version-kind', () => {
    const tagged = Object.values(OPENAPI_DEFINITIONS).flatMap((d) => d['x-kubernetes-group-version-kind'] ?? []).map((g) => `${g.group}/${g.version}/${g.kind}`);
    expect(tagged).toEqual(
      expect.arrayContaining([
        'custom.metrics.k8s.io/v1beta1/MetricValueList',
        'custom.metrics.k8s.io/v1beta2/MetricValueList',
        'external.metrics.k8s.io/v1beta1/ExternalMetricValueList',
        'metrics.k8s.io/v1beta1/PodMetrics',
        'metrics.k8s.io/v1beta1/NodeMetricsList',
        '/v1/Status',
      ]),
    );
  });
});
