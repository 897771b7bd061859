// The JSON Schema the server validates `backends[].config` against before `create` is called.
import { DURATION_SCHEMA } from '@custom-metrics/core';

const name = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z_:][A-Za-z0-9_:.]*$' };
const label = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z_][A-Za-z0-9_./-]*$' };

/** configSchema describes {@link TemplateBackendConfig}. */
export const configSchema: Readonly<Record<string, unknown>> = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', minLength: 1, description: 'Base URL of the metrics API (http:// or https://).' },
    timeout: { ...DURATION_SCHEMA, description: 'Per-request timeout, a Go-style duration such as 5s or 500ms (default 5s, at most 10m).' },
    maxResponseBytes: { type: 'integer', minimum: 1024, description: 'Largest answer read, in bytes (default 32 MiB).' },
    custom: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['metric'],
        properties: { metric: name, resource: { type: 'string', pattern: '^[a-z0-9-]+(\\.[a-z0-9.-]+)?$' }, series: name, objectLabel: label, namespaceLabel: label },
      },
    },
    external: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['metric'],
        properties: { metric: name, series: name, namespaceLabel: label },
      },
    },
  },
};
