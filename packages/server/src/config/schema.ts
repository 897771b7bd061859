/** JSON Schema (draft-07, ajv) of the server's YAML configuration. Defaults are filled in by ajv. */

const stringList = { type: 'array', items: { type: 'string' } } as const;

/** The `server:` section; every key may also be given as a flag (flags win). */
export const serverOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    securePort: { type: 'integer', minimum: 0, maximum: 65535, default: 6443 },
    bindAddress: { type: 'string', minLength: 1, default: '0.0.0.0' },
    certDir: { type: 'string', minLength: 1, default: 'apiserver.local.config/certificates' },
    tlsCertFile: { type: 'string', minLength: 1 },
    tlsPrivateKeyFile: { type: 'string', minLength: 1 },
    tlsSanNames: { ...stringList, default: [] },
    clientCaFile: { type: 'string', minLength: 1 },
    requestheaderClientCaFile: { type: 'string', minLength: 1 },
    requestheaderAllowedNames: stringList,
    requestheaderUsernameHeaders: stringList,
    requestheaderGroupHeaders: stringList,
    requestheaderExtraHeadersPrefix: stringList,
    kubeconfig: { type: 'string', minLength: 1 },
    authenticationKubeconfig: { type: 'string', minLength: 1 },
    authorizationKubeconfig: { type: 'string', minLength: 1 },
    authorizationAlwaysAllowPaths: { ...stringList, default: ['/healthz', '/readyz', '/livez'] },
    authenticationTolerateLookupFailure: { type: 'boolean', default: false },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    standalone: { type: 'boolean', default: false },
    requestTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 10 },
    maxRequestsInflight: { type: 'integer', minimum: 1, default: 400 },
    retryAfterSeconds: { type: 'integer', minimum: 1, default: 1 },
    shutdownTimeoutSeconds: { type: 'number', minimum: 0, default: 30 },
    shutdownDelaySeconds: { type: 'number', minimum: 0, maximum: 3600, default: 0 },
    idleConnectionTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400, default: 90 },
    firstRequestTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 10 },
    maxConnections: { type: 'integer', minimum: 1, default: 4096 },
    maxUnauthenticatedConnections: { type: 'integer', minimum: 1, default: 1024 },
    debugAddress: { type: 'string', default: '127.0.0.1:6060' },
  },
  default: {},
} as const;

const labels = { type: 'object', additionalProperties: { type: 'string' }, default: {} } as const;

/** The whole config file. */
export const serverConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    server: serverOptionsSchema,
    backends: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type'],
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$', maxLength: 63 },
          type: { type: 'string', minLength: 1 },
          config: { type: 'object', default: {} },
          priority: { type: 'integer' },
          lookupOnDemand: { type: 'boolean' },
        },
      },
    },
    standalone: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        resources: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['version', 'kind', 'resource'],
            properties: {
              group: { type: 'string', pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$', maxLength: 253, default: '' },
              version: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
              kind: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]*$', maxLength: 63 },
              resource: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
              singular: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
              namespaced: { type: 'boolean', default: true },
            },
          },
        },
        objects: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['resource', 'name'],
            properties: {
              resource: { type: 'string', minLength: 1 },
              name: { type: 'string', minLength: 1 },
              namespace: { type: 'string', minLength: 1 },
              labels,
              annotations: labels,
              uid: { type: 'string' },
              podIP: { type: 'string' },
              nodeName: { type: 'string' },
              phase: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;
