import { DURATION_SCHEMA } from '@custom-metrics/core';
/**
 * JSON Schema (draft-07 subset) of the Prometheus backend's `config`: connection settings plus
 * prometheus-adapter's `rules`, `externalRules` and `resourceRules`, unchanged. Every object
 * rejects unknown fields.
 */
const str = { type: 'string' } as const;
const duration = DURATION_SCHEMA;

const resourceMapping = {
  type: 'object',
  additionalProperties: false,
  properties: {
    template: str,
    overrides: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['resource'],
        properties: { group: str, resource: { type: 'string', minLength: 1 } },
      },
    },
    namespaced: { type: 'boolean' },
  },
} as const;

const discoveryRule = {
  type: 'object',
  additionalProperties: false,
  required: ['seriesQuery'],
  properties: {
    seriesQuery: { type: 'string', minLength: 1 },
    seriesFilters: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { is: str, isNot: str } },
    },
    resources: resourceMapping,
    name: { type: 'object', additionalProperties: false, properties: { matches: str, as: str } },
    metricsQuery: str,
    labelValueReplacements: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { find: str, replace: str } },
    },
  },
} as const;

const resourceRule = {
  type: 'object',
  additionalProperties: false,
  required: ['containerQuery', 'nodeQuery', 'containerLabel'],
  properties: {
    containerQuery: { type: 'string', minLength: 1 },
    nodeQuery: { type: 'string', minLength: 1 },
    resources: resourceMapping,
    containerLabel: { type: 'string', minLength: 1 },
  },
} as const;

/** The `configSchema` of the `prometheus` backend plugin. */
export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'prometheus backend config',
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', minLength: 1 },
    method: { type: 'string', enum: ['POST', 'GET'] },
    timeout: duration,
    maxResponseBytes: { type: 'integer', minimum: 1024 },
    headers: { type: 'object', additionalProperties: str },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bearerToken: str,
        bearerTokenFile: str,
        inClusterServiceAccount: { type: 'boolean' },
        basic: {
          type: 'object',
          additionalProperties: false,
          required: ['username'],
          properties: { username: str, password: str, passwordFile: str },
        },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: { caFile: str, certFile: str, keyFile: str, serverName: str, insecureSkipVerify: { type: 'boolean' } },
    },
    discovery: {
      type: 'object',
      additionalProperties: false,
      properties: {
        interval: duration,
        lookback: duration,
        maxAge: duration,
        onDemand: { type: 'boolean' },
        onDemandMinInterval: duration,
        onDemandWait: duration,
        maxResponseBytes: { type: 'integer', minimum: 1024 },
      },
    },
    cache: { type: 'object', additionalProperties: false, properties: { ttl: duration, serveStale: duration } },
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxRegexBytes: { type: 'integer', minimum: 64 },
        maxRequestBytes: { type: 'integer', minimum: 256 },
        maxConcurrency: { type: 'integer', minimum: 1 },
        coalesce: { type: 'boolean' },
        coalesceMaxSeries: { type: 'integer', minimum: 1 },
      },
    },
    rules: { type: 'array', items: discoveryRule },
    externalRules: { type: 'array', items: discoveryRule },
    resourceRules: {
      type: 'object',
      additionalProperties: false,
      required: ['cpu', 'memory'],
      properties: { cpu: resourceRule, memory: resourceRule, window: duration },
    },
  },
} as const;
