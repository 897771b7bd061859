import { describe, expect, it } from 'vitest';
import { ConfigError, configPath, isConfigError } from './config-error.js';

describe('ConfigError', () => {
  it('carries the path and the problem separately', () => {
    const e = new ConfigError('rules[2].query', 'must not be empty');
    expect(e.path).toBe('rules[2].query');
    expect(e.problem).toBe('must not be empty');
    expect(e.message).toBe('rules[2].query: must not be empty');
    expect(isConfigError(e)).toBe(true);
    expect(new ConfigError('', 'needs rules').message).toBe('needs rules');
  });

  it('is not confused with other errors of the same name', () => {
    const other = Object.assign(new Error('x'), { name: 'ConfigError', problems: [] });
    expect(isConfigError(other)).toBe(false);
  });

  it('joins paths', () => {
    expect(configPath(configPath(configPath('', 'rules'), 2), 'query')).toBe('rules[2].query');
    expect(configPath('labels', 'app.kubernetes.io/name')).toBe('labels["app.kubernetes.io/name"]');
  });
});
