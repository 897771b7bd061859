import { describe, expect, it } from 'vitest';
import { backendFailure, FAILURE_STATUS, type BackendFailureKind, unsupportedSelectorOperator } from './backend-failure.js';
import { isResponseTooLargeError } from './bounded-body.js';

describe('backendFailure', () => {
  it.each(Object.keys(FAILURE_STATUS) as BackendFailureKind[])('renders %s with the code and reason of the table', (kind) => {
    const status = backendFailure(kind).toStatus();
    expect(status.code).toBe(FAILURE_STATUS[kind].code);
    expect(status.reason).toBe(FAILURE_STATUS[kind].reason);
    expect(status.message).toBeTruthy();
  });

  it('maps the kinds as documented', () => {
    expect(FAILURE_STATUS.unreachable.code).toBe(503);
    expect(FAILURE_STATUS.timeout.code).toBe(503);
    expect(FAILURE_STATUS.tooLarge.code).toBe(503);
    expect(FAILURE_STATUS.rejected.code).toBe(500);
    expect(FAILURE_STATUS.unsupportedSelector.code).toBe(400);
    expect(FAILURE_STATUS.notFound.code).toBe(404);
  });

  it('carries Retry-After on 503s and the limit on tooLarge', () => {
    expect(backendFailure('throttled', undefined, { retryAfterSeconds: 7 }).toStatus().details?.retryAfterSeconds).toBe(7);
    const e = backendFailure('tooLarge', undefined, { limitBytes: 2048 });
    expect(isResponseTooLargeError(e)).toBe(true);
    expect(e.message).toContain('2048 bytes');
  });

  it('names the operator it cannot express', () => {
    const s = unsupportedSelectorOperator('Example', '!=', 'code', ['=', 'in']).toStatus();
    expect(s.code).toBe(400);
    expect(s.message).toBe('the Example backend cannot filter on label selector operator "!=" (used on "code"); use one of "=", "in"');
  });
});
