import { describe, expect, it } from 'vitest';
import { REDACTED, redactConfig } from './redact.js';

describe('redactConfig', () => {
  it.each([
    { name: 'a bearer token', input: { auth: { bearerToken: 'abc' } }, want: { auth: { bearerToken: REDACTED } } },
    { name: 'a basic password, the user stays', input: { basic: { username: 'u', password: 'p' } }, want: { basic: { username: 'u', password: REDACTED } } },
    { name: 'Datadog keys', input: { apiKey: 'k1', appKey: 'k2', site: 'datadoghq.eu' }, want: { apiKey: REDACTED, appKey: REDACTED, site: 'datadoghq.eu' } },
    { name: 'an Influx token', input: { token: 't' }, want: { token: REDACTED } },
    { name: 'every header', input: { headers: { 'X-Scope-OrgID': 'tenant', Authorization: 'Bearer x' } }, want: { headers: { 'X-Scope-OrgID': REDACTED, Authorization: REDACTED } } },
    { name: 'file paths stay', input: { bearerTokenFile: '/var/run/t', passwordFile: '/p', keyFile: '/k' }, want: { bearerTokenFile: '/var/run/t', passwordFile: '/p', keyFile: '/k' } },
    { name: 'in arrays', input: { backends: [{ config: { token: 'x' } }] }, want: { backends: [{ config: { token: REDACTED } }] } },
    { name: 'not secrets: authorization settings', input: { authorizationAlwaysAllowPaths: ['/healthz'], authorizationKubeconfig: '/k' }, want: { authorizationAlwaysAllowPaths: ['/healthz'], authorizationKubeconfig: '/k' } },
    { name: 'empty values stay empty', input: { token: '' }, want: { token: '' } },
  ])('$name', ({ input, want }) => {
    expect(redactConfig(input)).toEqual(want);
  });

  it('redacts known secret values wherever they appear', () => {
    const out = redactConfig({ url: 'http://u:hunter22@prom:9090', note: 'x' }, new Set(['hunter22']));
    expect(out).toEqual({ url: REDACTED, note: 'x' });
  });

  it('does not change its input', () => {
    const input = { token: 'x' };
    redactConfig(input);
    expect(input.token).toBe('x');
  });
});
