// The policy's structure as JSON Schema (draft-07): the one source for structural validation and
// for the schema file editors use (`schema/etcd-warden.schema.json`, written by the build).
// Meaning-level checks (names, ranges, hosts, durations…) live in rules.ts with their own ids.

export const DURATION_PATTERN = '^(?:\\d+(?:\\.\\d+)?[dhms])+$';

const duration = {
  type: 'string',
  pattern: DURATION_PATTERN,
  description: 'a duration such as 720h, 1h30m or 30d',
};

const certificate = {
  type: 'object',
  description: 'The client certificate of this user: CN = the user name.',
  additionalProperties: false,
  properties: {
    ttl: { ...duration, description: 'certificate lifetime, e.g. 720h (default 720h)' },
    requesters: {
      type: 'array',
      description: 'IAM principal ARN patterns allowed to obtain this certificate over HTTP',
      items: { type: 'string' },
    },
  },
};

const roleList = { type: 'array', items: { type: 'string' }, description: 'etcd roles granted to the user' };

export const policySchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'etcd-warden policy',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1, description: 'policy format version' },
    presets: {
      type: 'array',
      description: 'built-in role catalogs',
      items: { enum: ['calico', 'kubernetes'] },
    },
    auth: {
      enum: ['enabled', 'disabled'],
      description: 'whether etcd authentication is on (default enabled)',
    },
    apis: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      description:
        'etcd APIs whose auth store the policy manages (default [v3]); v2 needs etcd with --enable-v2',
      items: { enum: ['v3', 'v2'] },
    },
    prune: {
      type: 'boolean',
      description: 'remove roles and users that the policy does not declare (never root)',
    },
    ca: {
      type: 'object',
      additionalProperties: false,
      properties: {
        commonName: { type: 'string', minLength: 1, description: 'CN of the CA certificate' },
        key: {
          enum: ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'],
          description: 'CA key type',
        },
        validity: { ...duration, description: 'CA lifetime (default 87600h)' },
        maxTtl: {
          ...duration,
          description: 'longest certificate lifetime the policy may ask for (default 8760h)',
        },
        revoked: {
          type: 'array',
          description: 'serial numbers (hex) to list in the CRL',
          items: {
            type: 'string',
            pattern: '^(?:0x)?[0-9a-fA-F:]+$',
            description: 'a hexadecimal serial number',
          },
        },
      },
    },
    roles: {
      type: 'object',
      description: 'etcd roles by name, each a list of permissions',
      additionalProperties: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['access'],
          properties: {
            prefix: { type: 'string', description: 'every key starting with this text' },
            key: { type: 'string', description: 'exactly this key' },
            range: {
              type: 'object',
              additionalProperties: false,
              required: ['from'],
              properties: { from: { type: 'string' }, to: { type: 'string' } },
              description: 'the keys k with from <= k < to; without `to`, every key from `from` on',
            },
            access: { enum: ['read', 'write', 'readwrite'], description: 'etcd permission type' },
          },
        },
      },
    },
    users: {
      type: 'object',
      description: 'etcd users by name; they authenticate by certificate only',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['roles'],
        properties: {
          roles: roleList,
          certificate,
          acknowledge: {
            type: 'array',
            description: 'warnings accepted on purpose for this user, e.g. root-grant for kube-apiserver',
            items: { enum: ['root-grant'] },
          },
        },
      },
    },
    members: {
      type: 'object',
      description: 'etcd servers: server and peer certificates, never etcd users',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['hosts'],
        properties: {
          hosts: {
            type: 'array',
            minItems: 1,
            items: { type: 'string' },
            description: 'DNS names and IP addresses',
          },
          ttl: { ...duration, description: 'certificate lifetime (default 8760h)' },
        },
      },
    },
    templates: {
      type: 'object',
      description: 'users created and removed by events, one per instance',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['user', 'roles'],
        properties: {
          user: { type: 'string', description: 'username pattern containing {instanceId}' },
          roles: roleList,
          certificate,
        },
      },
    },
  },
} as const;

/** How the validator is compiled (build.mjs, ahead of time); tests compile the schema with them too. */
export const VALIDATOR_OPTIONS = { allErrors: true, verbose: true, strict: true } as const;
