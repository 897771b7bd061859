/**
 * Configuration of the in-memory backend (`type: memory`), as users write it: the server fills in
 * the schema's defaults; `createMemoryBackend` applies the same ones when a field is left out.
 */
export interface MemoryBackendConfig {
  /** The `POST /backends/<instance>/write/...` endpoint (off unless enabled). */
  writeEndpoint?: { enabled: boolean };
  custom?: MemoryCustomMetricConfig[];
  external?: MemoryExternalMetricConfig[];
}

/** One custom-metric series. Several entries with the same resource + metric and different `labels` are separate series. */
export interface MemoryCustomMetricConfig {
  /** Group-resource the metric describes: `pods`, `deployments.apps`, `namespaces`, `nodes`. */
  resource: string;
  metric: string;
  /**
   * Whether the resource is namespaced. Default: namespaced unless core's `isClusterScoped` says
   * otherwise (namespaces, nodes, persistentvolumes, storageclasses.storage.k8s.io); say `false`
   * for any other cluster-scoped resource.
   */
  namespaced?: boolean;
  /** The series' own labels (matched by `metricLabelSelector`). Default none. */
  labels?: Record<string, string>;
  /** Value for any existing object of the resource that has no value of its own. */
  default?: number;
  windowSeconds?: number;
  /** Per-object values. An object unknown to the cluster view is still served (as declared here). */
  objects?: Array<{ namespace?: string; name: string; value: number; labels?: Record<string, string> }>;
}

/** One external metric with its series. */
export interface MemoryExternalMetricConfig {
  name: string;
  windowSeconds?: number;
  series?: Array<{ labels?: Record<string, string>; value: number }>;
}

const labels = { type: 'object', additionalProperties: { type: 'string' }, default: {} } as const;

/** JSON Schema of {@link MemoryBackendConfig}; the server validates `backends[].config` against it. */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    writeEndpoint: {
      type: 'object',
      additionalProperties: false,
      default: { enabled: false },
      properties: { enabled: { type: 'boolean', default: false } },
    },
    custom: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['resource', 'metric'],
        properties: {
          resource: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' },
          metric: { type: 'string', minLength: 1, pattern: '^[^/]+$' },
          namespaced: { type: 'boolean' },
          labels,
          default: { type: 'number' },
          windowSeconds: { type: 'integer', minimum: 1 },
          objects: {
            type: 'array',
            default: [],
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'value'],
              properties: {
                namespace: { type: 'string', minLength: 1 },
                name: { type: 'string', minLength: 1 },
                value: { type: 'number' },
                labels,
              },
            },
          },
        },
      },
    },
    external: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, pattern: '^[^/]+$' },
          windowSeconds: { type: 'integer', minimum: 1 },
          series: {
            type: 'array',
            default: [],
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['value'],
              properties: { labels, value: { type: 'number' } },
            },
          },
        },
      },
    },
  },
} as const;
