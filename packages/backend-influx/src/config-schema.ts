import { DURATION_SCHEMA } from '@custom-metrics/core';
// JSON Schema of InfluxBackendConfig, used by the server to validate `backends[].config`.

const duration = { type: 'string', pattern: '^[1-9][0-9]{0,8}(ms|s|m|h|d|w)$' } as const;
const nonEmpty = { type: 'string', minLength: 1 } as const;

const customRule = {
  type: 'object',
  additionalProperties: false,
  required: ['resource', 'metric', 'objectTag', 'query'],
  properties: {
    resource: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*(\\.[a-z0-9.-]+)?$', description: 'resource[.group], e.g. pods or deployments.apps' },
    metric: nonEmpty,
    objectTag: { ...nonEmpty, description: 'tag naming the object' },
    namespaceTag: nonEmpty,
    namespaced: { type: 'boolean' },
    query: { ...nonEmpty, description: 'Flux or InfluxQL template with {{placeholders}}' },
    window: duration,
    valueColumn: nonEmpty,
  },
} as const;

const externalRule = {
  type: 'object',
  additionalProperties: false,
  required: ['metric', 'query'],
  properties: {
    metric: nonEmpty,
    namespaced: { type: 'boolean' },
    namespaceTag: nonEmpty,
    query: nonEmpty,
    window: duration,
    valueColumn: nonEmpty,
  },
} as const;

/** The JSON Schema (draft-07) of the `influx` backend's config; unknown fields are rejected. */
export const influxConfigSchema: Readonly<Record<string, unknown>> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'influx backend config',
  type: 'object',
  additionalProperties: false,
  required: ['mode', 'url'],
  properties: {
    mode: { enum: ['flux', 'influxql'] },
    url: { type: 'string', pattern: '^https?://' },
    token: nonEmpty,
    tokenFile: { ...nonEmpty, description: 'file holding the token, re-read when it changes' },
    org: nonEmpty,
    bucket: nonEmpty,
    database: nonEmpty,
    retentionPolicy: nonEmpty,
    username: nonEmpty,
    password: { type: 'string' },
    passwordFile: { ...nonEmpty, description: 'InfluxQL: file holding the password, re-read when it changes' },
    authMethod: { enum: ['basic', 'query'] },
    httpMethod: { enum: ['GET', 'POST'] },
    timeout: DURATION_SCHEMA,
    timeoutMs: { type: 'integer', minimum: 1, maximum: 600000, deprecated: true, description: 'deprecated: use timeout' },
    maxResponseBytes: { type: 'integer', minimum: 1024 },
    window: duration,
    cacheTtl: DURATION_SCHEMA,
    cacheStale: DURATION_SCHEMA,
    cacheTtlMs: { type: 'integer', minimum: 0, deprecated: true, description: 'deprecated: use cacheTtl' },
    cacheStaleMs: { type: 'integer', minimum: 0, deprecated: true, description: 'deprecated: use cacheStale' },
    custom: { type: 'array', items: customRule },
    external: { type: 'array', items: externalRule },
  },
  allOf: [
    {
      if: { properties: { mode: { const: 'flux' } }, required: ['mode'] },
      then: {
        required: ['org'],
        anyOf: [{ required: ['token'], properties: { token: true } }, { required: ['tokenFile'], properties: { tokenFile: true } }],
        properties: { org: true, token: true, database: false, retentionPolicy: false, username: false, password: false, passwordFile: false, authMethod: false, httpMethod: false },
      },
    },
    {
      if: { properties: { mode: { const: 'influxql' } }, required: ['mode'] },
      then: { required: ['database'], properties: { database: true, org: false, bucket: false } },
    },
  ],
};
