import { describe, expect, it } from 'vitest';
import { isConfigError } from './config-error.js';
import { expandEnv, expandEnvString } from './expand-env.js';
import { validateConfigText } from './validate.js';

const env = { INFLUX_TOKEN: 's3cr3t', EMPTY: '', _U: 'u' };

describe('environment references in the config', () => {
  it.each([
    ['${INFLUX_TOKEN}', 's3cr3t'],
    ['Token ${INFLUX_TOKEN}!', 'Token s3cr3t!'],
    ['${_U}${_U}', 'uu'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${INFLUX_TOKEN:-fallback}', 's3cr3t'],
    ['${MISSING:-}', ''],
    ['${EMPTY}', ''],
    ['$${INFLUX_TOKEN}', '${INFLUX_TOKEN}'],
    ['a $${ b', 'a ${ b'],
    ['${1}', '${1}'],
    ['sum(rate(${1}_total[5m])) by (${2})', 'sum(rate(${1}_total[5m])) by (${2})'],
    ['${ INFLUX_TOKEN}', '${ INFLUX_TOKEN}'],
    ['${INFLUX_TOKEN', '${INFLUX_TOKEN'],
    ['$INFLUX_TOKEN', '$INFLUX_TOKEN'],
    ['no references', 'no references'],
  ])('%s expands to %s', (text, want) => {
    expect(expandEnvString(text, env)).toEqual({ value: want, unset: [] });
  });

  it('reports unset variables', () => {
    expect(expandEnvString('${A}-${INFLUX_TOKEN}-${B}', env)).toEqual({ value: '-s3cr3t-', unset: ['A', 'B'] });
  });

  it('expands string values at any depth, leaving keys and other types alone', () => {
    const input = { a: ['${INFLUX_TOKEN}', 1, true, null], '${_U}': { b: 'x${_U}' } };
    expect(expandEnv(input, env)).toEqual({ a: ['s3cr3t', 1, true, null], '${_U}': { b: 'xu' } });
  });

  it('fails naming the field and the variable of every unset reference', () => {
    const yaml = 'backends:\n  - name: a\n    type: memory\n  - name: b\n    type: influx\n    config:\n      token: ${INFLUX_TOKEN}\n      custom: [{ query: "${QUERY_TEXT}" }]\n';
    let err: unknown;
    try {
      validateConfigText(yaml, 'c.yaml', {});
    } catch (e) {
      err = e;
    }
    expect(isConfigError(err)).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('c.yaml: backends[1].config.token: environment variable INFLUX_TOKEN is not set');
    expect(message).toContain('c.yaml: backends[1].config.custom[0].query: environment variable QUERY_TEXT is not set');
  });

  it('validates the expanded values (a number-looking value stays a string)', () => {
    const c = validateConfigText('server:\n  bindAddress: ${BIND:-127.0.0.1}\n  certDir: $${HOME}/certs\n', 'c.yaml', {});
    expect(c.server.bindAddress).toBe('127.0.0.1');
    expect(c.server.certDir).toBe('${HOME}/certs');
  });
});
