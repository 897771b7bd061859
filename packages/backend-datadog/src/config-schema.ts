/**
 * JSON Schema (draft-07 subset, ajv) of {@link DatadogBackendConfig}. Unknown fields are rejected
 * everywhere (`additionalProperties: false`).
 */
import { DURATION_SCHEMA } from '@custom-metrics/core';
import { DATADOG_SITES } from './config.js';

const aggregator = { type: 'string', enum: ['avg', 'sum', 'min', 'max'] } as const;
const positive = { type: 'number', exclusiveMinimum: 0 } as const;

const secretSource = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['env'], properties: { env: { type: 'string', minLength: 1 } } },
    { type: 'object', additionalProperties: false, required: ['file'], properties: { file: { type: 'string', minLength: 1 } } },
  ],
} as const;

const rollup = {
  type: 'object',
  additionalProperties: false,
  required: ['seconds'],
  properties: {
    method: { type: 'string', enum: ['avg', 'sum', 'min', 'max', 'count'] },
    seconds: { type: 'integer', minimum: 1 },
  },
} as const;

const ruleQueryProperties = {
  metric: { type: 'string', minLength: 1, maxLength: 200 },
  query: { type: 'string', minLength: 1 },
  aggregator,
  rollup,
  windowSeconds: { type: 'integer', minimum: 1 },
  tags: { type: 'array', items: { type: 'string', minLength: 1 } },
} as const;

const metricOrQuery = { oneOf: [{ required: ['metric'] }, { required: ['query'] }] } as const;

/** The plugin's `configSchema`. */
export const configSchema: Readonly<Record<string, unknown>> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Datadog backend config',
  type: 'object',
  additionalProperties: false,
  properties: {
    site: { type: 'string', enum: [...DATADOG_SITES] },
    baseUrl: { type: 'string', pattern: '^https?://' },
    apiKey: secretSource,
    appKey: secretSource,
    refreshInterval: DURATION_SCHEMA,
    maxAge: DURATION_SCHEMA,
    active: DURATION_SCHEMA,
    requestTimeout: DURATION_SCHEMA,
    refreshIntervalSeconds: { ...positive, deprecated: true, description: 'deprecated: use refreshInterval' },
    maxAgeSeconds: { ...positive, deprecated: true, description: 'deprecated: use maxAge' },
    activeSeconds: { ...positive, deprecated: true, description: 'deprecated: use active' },
    maxQueriesPerCall: { type: 'integer', minimum: 1, maximum: 100 },
    requestTimeoutSeconds: { ...positive, deprecated: true, description: 'deprecated: use requestTimeout' },
    maxResponseBytes: { type: 'integer', minimum: 1024 },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
        initialDelayMs: { type: 'integer', minimum: 1 },
        maxDelayMs: { type: 'integer', minimum: 1 },
      },
    },
    defaults: {
      type: 'object',
      additionalProperties: false,
      properties: { aggregator, rollup, windowSeconds: { type: 'integer', minimum: 1 } },
    },
    external: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          groupBy: { type: 'array', items: { type: 'string', minLength: 1 } },
          namespaced: { type: 'boolean' },
          namespaceTag: { type: 'string', minLength: 1 },
          ...ruleQueryProperties,
        },
        ...metricOrQuery,
      },
    },
    custom: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'resource', 'objectTag'],
        properties: {
          name: { type: 'string', minLength: 1 },
          resource: { type: 'string', minLength: 1 },
          objectTag: { type: 'string', minLength: 1 },
          namespaceTag: { type: 'string' },
          ...ruleQueryProperties,
        },
        ...metricOrQuery,
      },
    },
    datadogMetrics: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        allowCrossNamespace: { type: 'boolean' },
      },
    },
    clusterAgentConvention: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        aggregator,
        rollupSeconds: { type: 'integer', minimum: 0 },
        windowSeconds: { type: 'integer', minimum: 1 },
      },
    },
  },
};
