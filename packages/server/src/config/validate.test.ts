import { describe, expect, it } from 'vitest';
import { isConfigError, type ConfigError } from './config-error.js';
import { validateBackendConfig, validateConfig, validateConfigText } from './validate.js';

function problems(fn: () => unknown): ConfigError['problems'] {
  try {
    fn();
  } catch (e) {
    if (isConfigError(e)) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config validation', () => {
  it('fills in defaults for an empty config', () => {
    const c = validateConfig({});
    expect(c.server).toMatchObject({ securePort: 6443, bindAddress: '0.0.0.0', requestTimeoutSeconds: 10, maxRequestsInflight: 400, authorizationAlwaysAllowPaths: ['/healthz', '/readyz', '/livez'], logLevel: 'info' });
    expect(c.server.requestheaderUsernameHeaders).toBeUndefined();
    expect(c.backends).toEqual([]);
    expect(c.standalone.objects).toEqual([]);
  });

  it('parses a YAML file with backends and standalone objects', () => {
    const c = validateConfigText(`
server:
  securePort: 8443
backends:
  - name: mem
    type: memory
    priority: 2
    config:
      custom:
        - { resource: pods, metric: m, default: 1 }
standalone:
  objects:
    - { resource: pods, name: p, namespace: default, labels: { app: a } }
`);
    expect(c.server.securePort).toBe(8443);
    expect(c.backends[0]).toMatchObject({ name: 'mem', type: 'memory', priority: 2 });
    // Unset: the plugin's default applies (true for prometheus, else false).
    expect(c.backends[0].lookupOnDemand).toBeUndefined();
    expect(c.standalone.objects[0]).toMatchObject({ resource: 'pods', name: 'p', labels: { app: 'a' }, annotations: {} });
  });

  it('names the JSON path of each bad field and what was expected', () => {
    expect(problems(() => validateConfig({ server: { securePort: 'x' } }))).toContainEqual({ path: 'server.securePort', expected: 'must be of type integer' });
    expect(problems(() => validateConfig({ backends: [{ name: 'a' }] }))).toContainEqual({ path: 'backends[0].type', expected: 'is required' });
    expect(problems(() => validateConfig({ server: { bogus: 1 } }))).toContainEqual({ path: 'server.bogus', expected: 'is not a known field' });
    expect(problems(() => validateConfig({ server: { logLevel: 'loud' } }))[0].expected).toContain('"debug"');
    expect(problems(() => validateConfig({ backends: [{ name: 'a', type: 'memory' }, { name: 'a', type: 'memory' }] }))[0]).toMatchObject({ path: 'backends[1].name' });
    expect(problems(() => validateConfig({ server: { tlsCertFile: '/x' } }))[0]).toMatchObject({ path: 'server.tlsPrivateKeyFile' });
  });

  it('reports YAML syntax errors', () => {
    expect(problems(() => validateConfigText('server: [unclosed'))[0].expected).toMatch(/^valid YAML/);
  });

  it('validates a backend config against the plugin schema with paths under backends[i].config', () => {
    const schema = { type: 'object', additionalProperties: false, required: ['url'], properties: { url: { type: 'string' }, ttl: { type: 'integer', default: 5 } } };
    expect(validateBackendConfig(schema, { url: 'http://x' }, 0)).toEqual({ url: 'http://x', ttl: 5 });
    expect(problems(() => validateBackendConfig(schema, { url: 3 }, 2))).toContainEqual({ path: 'backends[2].config.url', expected: 'must be of type string' });
    expect(problems(() => validateBackendConfig(schema, {}, 0))).toContainEqual({ path: 'backends[0].config.url', expected: 'is required' });
  });
});
