// The JSON Schema the server validates `backends[].config` against before `create` is called.

const name = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z_:][A-Za-z0-9_:.]*$' };
const label = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z_][A-Za-z0-9_./-]*$' };

/** configSchema describes {@link TemplateBackendConfig}. */
export const configSchema: Readonly<Record<string, unknown>> = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', minLength: 1, description: 'Base URL of the metrics API (http:// or https://).' },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 600_000, description: 'Per-request timeout in milliseconds (default 5000).' },
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
