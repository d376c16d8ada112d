// Policies and CAs for the PKI suites, built directly as the resolved model.
import type { CaSpec, KeyAlgorithm, Policy } from '../../shared/policy/types.js';

const HOUR = 3600;

export const caSpec = (key: KeyAlgorithm = 'ecdsa-p256', overrides: Partial<CaSpec> = {}): CaSpec => ({
  commonName: `test CA ${key}`,
  key,
  validitySeconds: 10 * 365 * 24 * HOUR,
  maxTtlSeconds: 365 * 24 * HOUR,
  revoked: [],
  ...overrides,
});

export const policy = (ca: CaSpec = caSpec()): Policy => ({
  version: 1,
  presets: [],
  auth: 'enabled',
  apis: ['v3'],
  prune: false,
  ca,
  roles: {
    app: { name: 'app', permissions: [{ span: { type: 'prefix', prefix: '/app/' }, access: 'readwrite' }] },
  },
  users: {
    root: { name: 'root', roles: ['root'] },
    app: { name: 'app', roles: ['app'], certificate: { ttlSeconds: 24 * HOUR, requesters: [] } },
  },
  members: {
    'etcd-1': {
      name: 'etcd-1',
      hosts: ['127.0.0.1', 'localhost', '::1', 'etcd-1.example.internal'],
      ttlSeconds: 90 * 24 * HOUR,
    },
  },
  templates: {
    node: {
      name: 'node',
      user: 'calico-node-{instanceId}',
      roles: ['app'],
      certificate: { ttlSeconds: 2 * HOUR, requesters: [] },
    },
  },
});
