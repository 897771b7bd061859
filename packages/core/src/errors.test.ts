import { describe, expect, it } from 'vitest';
import type {
  MetricsError} from './errors.js';
import {
  BACKEND_TIMEOUT_MESSAGE,
  BadRequestError,
  errorToStatus,
  forbiddenFor,
  ForbiddenError,
  InternalError,
  isMetricsError,
  MethodNotAllowedError,
  metricNotFound,
  metricNotFoundFor,
  metricNotFoundForSelector,
  nodeMetricsNotFound,
  NotAcceptableError,
  NotFoundError,
  PlainInternalError,
  podMetricsNotFound,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
} from './errors.js';
import { encodeJSON } from './wire/json.js';

const pods = { group: '', resource: 'pods' };
const deployments = { group: 'apps', resource: 'deployments' };

describe('MetricsError family', () => {
  it.each([
    [new NotFoundError('x'), 404, 'NotFound'],
    [new BadRequestError('x'), 400, 'BadRequest'],
    [new UnauthorizedError(), 401, 'Unauthorized'],
    [new ForbiddenError('x'), 403, 'Forbidden'],
    [new MethodNotAllowedError(), 405, 'MethodNotAllowed'],
    [new NotAcceptableError('x'), 406, 'NotAcceptable'],
    [new TooManyRequestsError('x', 3), 429, 'TooManyRequests'],
    [new ServiceUnavailableError('x'), 503, 'ServiceUnavailable'],
    [new InternalError('x'), 500, 'InternalError'],
    [new PlainInternalError('x'), 500, ''],
  ] as Array<[MetricsError, number, string]>)('%s has code %d and reason %j', (err, code, reason) => {
    expect(err).toBeInstanceOf(Error);
    expect(isMetricsError(err)).toBe(true);
    expect(err.code).toBe(code);
    expect(err.reason).toBe(reason);
    const status = err.toStatus();
    expect(status.code).toBe(code);
    expect(status.reason).toBe(reason === '' ? undefined : reason);
    expect(Object.keys(status).slice(0, 4)).toEqual(['kind', 'apiVersion', 'metadata', 'status']);
    expect(Object.keys(status).at(-1)).toBe('code');
  });

  it('writes retryAfterSeconds into details', () => {
    expect(encodeJSON(new TooManyRequestsError('slow down', 5).toStatus())).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"slow down","reason":"TooManyRequests","details":{"retryAfterSeconds":5},"code":429}\n',
    );
    expect(new ServiceUnavailableError('down', 10).toStatus().details).toEqual({ retryAfterSeconds: 10 });
    expect(new ServiceUnavailableError('down').toStatus().details).toBeUndefined();
  });

  it('orders details keys as Go does, whatever the input order', () => {
    const err = new NotFoundError('m', { kind: 'k', causes: [{ field: 'f', message: 'm', reason: 'r' }], name: 'n', group: '' });
    expect(encodeJSON(err.toStatus().details)).toBe('{"name":"n","kind":"k","causes":[{"reason":"r","message":"m","field":"f"}]}\n');
  });

  it('isMetricsError is a brand check that survives another copy of the module', () => {
    const foreign = Object.assign(new Error('x'), { code: 404, toStatus: () => ({}) });
    Object.defineProperty(foreign, Symbol.for('@custom-metrics/core/MetricsError'), { value: true });
    expect(isMetricsError(foreign)).toBe(true);
    expect(isMetricsError(new Error('x'))).toBe(false);
    expect(isMetricsError({ code: 404 })).toBe(false);
    expect(isMetricsError(null)).toBe(false);
    expect(isMetricsError('NotFound')).toBe(false);
  });
});

describe('not-found constructors (upstream messages)', () => {
  it('metricNotFound', () => {
    expect(metricNotFound(deployments, 'hits').message).toBe('the server could not find the metric hits for deployments.apps');
  });
  it('metricNotFoundFor', () => {
    expect(metricNotFoundFor(pods, 'hits', 'p1').message).toBe('the server could not find the metric hits for pods p1');
  });
  it('metricNotFoundForSelector takes a string or any Stringer (Selector)', () => {
    expect(metricNotFoundForSelector(pods, 'hits', 'p1', 'verb=GET').message).toBe(
      'the server could not find the metric hits for pods p1 with selector verb=GET',
    );
    expect(metricNotFoundForSelector(pods, 'hits', 'p1', { toString: () => 'a in (b)' }).message).toBe(
      'the server could not find the metric hits for pods p1 with selector a in (b)',
    );
  });
  it('nodeMetricsNotFound', () => {
    expect(encodeJSON(nodeMetricsNotFound('node-1').toStatus())).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"nodemetrics.metrics.k8s.io \\"node-1\\" not found","reason":"NotFound","details":{"name":"node-1","group":"metrics.k8s.io","kind":"nodemetrics"},"code":404}\n',
    );
  });
  it('quotes names as Go %q does', () => {
    expect(podMetricsNotFound('ns', 'a"b\n').message).toBe('podmetrics.metrics.k8s.io "ns/a\\"b\\n" not found');
  });
});

describe('forbiddenFor', () => {
  const user = 'system:serviceaccount:default:default';
  it('cluster-scoped resource request', () => {
    const err = forbiddenFor({ resourceRequest: true, verb: 'get', apiGroup: 'custom.metrics.k8s.io', resource: 'nodes', subresource: 'load', name: 'n1' }, user);
    expect(err.message).toBe(
      `nodes.custom.metrics.k8s.io "n1" is forbidden: User "${user}" cannot get resource "nodes/load" in API group "custom.metrics.k8s.io" at the cluster scope`,
    );
    expect(err.toStatus().details).toEqual({ name: 'n1', group: 'custom.metrics.k8s.io', kind: 'nodes' });
  });
  it('unnamed request and an authorizer reason', () => {
    const err = forbiddenFor({ resourceRequest: true, verb: 'list', apiGroup: 'metrics.k8s.io', resource: 'pods', namespace: 'ns' }, 'bob', 'RBAC: no');
    expect(err.message).toBe(
      'pods.metrics.k8s.io is forbidden: User "bob" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "ns": RBAC: no',
    );
  });
  it('non-resource request', () => {
    const err = forbiddenFor({ resourceRequest: false, verb: 'get', path: '/apis' }, 'bob');
    expect(err.message).toBe('forbidden: User "bob" cannot get path "/apis"');
    expect(encodeJSON(err.toStatus())).toContain('"reason":"Forbidden","details":{},"code":403}');
  });
});

describe('errorToStatus', () => {
  it('renders a MetricsError as itself', () => {
    expect(errorToStatus(metricNotFound(pods, 'x'))).toEqual(metricNotFound(pods, 'x').toStatus());
  });
  it('hides the detail of unknown errors behind a generic 500', () => {
    const status = errorToStatus(new Error('connect ECONNREFUSED 10.0.0.3:9090 password=hunter2'));
    expect(status.code).toBe(500);
    expect(status.reason).toBe('InternalError');
    expect(status.message).toMatch(/^Internal error occurred: /);
    expect(JSON.stringify(status)).not.toContain('ECONNREFUSED');
    expect(errorToStatus('boom').code).toBe(500);
    expect(errorToStatus(undefined).code).toBe(500);
  });
  it('maps AbortError and TimeoutError to 503', () => {
    for (const name of ['AbortError', 'TimeoutError']) {
      const status = errorToStatus(new DOMException('The operation was aborted', name));
      expect(status).toMatchObject({ code: 503, reason: 'ServiceUnavailable', message: BACKEND_TIMEOUT_MESSAGE });
    }
  });
  it('maps a SelectorParseError (by brand) to 400 with its message', () => {
    const e = new Error("found '=', expected: ',' or 'end of string'");
    Object.defineProperty(e, Symbol.for('@custom-metrics/core/SelectorParseError'), { value: true });
    expect(errorToStatus(e)).toMatchObject({ code: 400, reason: 'BadRequest', message: e.message });
  });
});
