import { DURATION_SCHEMA } from '@custom-metrics/core';
import { WINDOW_FUNCTIONS } from './window/functions.js';

// A Go-style duration string; a number of seconds is deprecated but still accepted.
const duration = {
  oneOf: [DURATION_SCHEMA, { type: 'number', exclusiveMinimum: 0, deprecated: true, description: 'deprecated: a number of seconds; write a duration such as 5s' }],
} as const;

const labels = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** JSON Schema (draft-07 subset) of {@link ScrapeBackendConfig}. */
export const scrapeConfigSchema: Readonly<Record<string, unknown>> = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    targets: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: { type: 'string', pattern: '^https?://' },
          pod: { type: 'string', minLength: 1 },
          namespace: { type: 'string', minLength: 1 },
          labels,
          interval: duration,
          timeout: duration,
        },
      },
    },
    kubernetes: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        refreshInterval: duration,
        namespace: { type: 'string' },
      },
    },
    objects: { enum: ['kube', 'targets'] },
    interval: duration,
    timeout: duration,
    maxResponseBytes: { type: 'integer', minimum: 1024 },
    maxConcurrentScrapes: { type: 'integer', minimum: 1, maximum: 1024 },
    maxSeries: { type: 'integer', minimum: 1 },
    maxSamplesPerScrape: { type: 'integer', minimum: 1 },
    maxLineLength: { type: 'integer', minimum: 128 },
    insecureSkipVerify: { type: 'boolean' },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['metric', 'series', 'function'],
        properties: {
          metric: { type: 'string', minLength: 1 },
          series: { type: 'string', pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' },
          function: { enum: [...WINDOW_FUNCTIONS] },
          window: duration,
          match: { type: 'string' },
          kind: { enum: ['custom', 'external'] },
          resource: { type: 'string', minLength: 1 },
          objectLabel: { type: 'string', minLength: 1 },
          namespaced: { type: 'boolean' },
          namespaceLabel: { type: 'string', minLength: 1 },
          namespacedExternal: { type: 'boolean' },
        },
      },
    },
  },
};
