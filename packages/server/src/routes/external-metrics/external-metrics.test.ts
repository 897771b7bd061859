import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/harness.js';
import { fixture } from '../../../test/support/fixtures.js';

const V1 = '/apis/external.metrics.k8s.io/v1beta1';

describe('external.metrics.k8s.io routes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('serves the fixture list for a label selector', async () => {
    const res = await s.request(`${V1}/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker_tasks`);
    expect(res.status).toBe(200);
    expect(res.body).toBe(fixture('external-v1beta1-list.json'));
    expect(res.headers['content-type']).toBe('application/json');
  });

  it('matches metric names case-insensitively', async () => {
    const res = await s.request(`${V1}/namespaces/default/QUEUE_Messages_Ready?labelSelector=queue%3Dworker_tasks`);
    expect(res.body).toBe(fixture('external-v1beta1-list.json'));
  });

  it('returns every series without a selector', async () => {
    const res = await s.getJSON(`${V1}/namespaces/default/queue_messages_ready`);
    expect((res.json as { items: unknown[] }).items).toHaveLength(2);
  });

  it('serves discovery', async () => {
    expect((await s.request(V1)).body).toBe(fixture('discovery-external-v1beta1.json'));
    const group = await s.getJSON('/apis/external.metrics.k8s.io');
    expect(group.json).toMatchObject({ kind: 'APIGroup', name: 'external.metrics.k8s.io', preferredVersion: { version: 'v1beta1' } });
  });

  it('answers 400 for a malformed or unsupported fieldSelector, as apiserver\'s ListOptions decoding does', async () => {
    const base = `${V1}/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker_tasks`;
    const bad = await s.getJSON(`${base}&fieldSelector=nonsense`);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'invalid field selector: "nonsense": expected field=value, field==value or field!=value' });
    const unsupported = await s.getJSON(`${base}&fieldSelector=spec.queue%3Dx`);
    expect(unsupported.status).toBe(400);
    expect(unsupported.json).toMatchObject({ message: 'field label not supported: spec.queue (supported: metadata.name, metadata.namespace)' });
    const fine = await s.request(`${base}&fieldSelector=metadata.namespace%3Ddefault`);
    expect(fine.body).toBe(fixture('external-v1beta1-list.json'));
  });

  it('answers the upstream watch 405 Status', async () => {
    const res = await s.getJSON(`${V1}/namespaces/default/queue_messages_ready?watch=true`);
    expect(res.status).toBe(405);
    expect(res.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'watch is not supported on resources of kind "*.external.metrics.k8s.io"',
      reason: 'MethodNotAllowed',
      details: { group: 'external.metrics.k8s.io', kind: '*' },
      code: 405,
    });
  });

  it('answers Status errors: 404 unknown metric, 400 bad selector, 404 other shapes, 405', async () => {
    const unknown = await s.getJSON(`${V1}/namespaces/default/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    const bad = await s.getJSON(`${V1}/namespaces/default/queue_messages_ready?labelSelector=queue+in+x`);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    for (const p of [`${V1}/queue_messages_ready`, `${V1}/namespaces/default`, `${V1}/namespaces/default/a/b`, '/apis/external.metrics.k8s.io/v1beta2/namespaces/a/b']) {
      const res = await s.request(p);
      expect(res.status, p).toBe(404);
      expect(res.body).toBe(fixture('status-notfound-route.json'));
    }
    expect((await s.request(`${V1}/namespaces/default/queue_messages_ready`, { method: 'DELETE' })).body).toBe(fixture('status-methodnotallowed.json'));
  });
});
